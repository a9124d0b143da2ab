using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>The name of the workflow transition behind a status change, kept with its history row.</summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000004_HistoryTransition")]
public sealed class HistoryTransition : Migration
{
    protected override void Up(MigrationBuilder m) => m.AddColumn<string>("transition", "history", nullable: true);

    protected override void Down(MigrationBuilder m) => m.DropColumn("transition", "history");
}
