using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>The on-call roster of each project: who is on call from when until when.</summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000007_OnCall")]
public sealed class OnCall : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("on_call_shifts", t => new
        {
            id = Tracking.Identity(t),
            project_key = t.Column<string>(nullable: false),
            login = t.Column<string>(nullable: false),
            starts_at = t.Column<long>(nullable: false),
            ends_at = t.Column<long>(nullable: false),
            note = t.Column<string>(nullable: true),
        }, constraints: t => t.PrimaryKey("PK_on_call_shifts", x => x.id));
        m.CreateIndex("IX_on_call_shifts_project_key_starts_at", "on_call_shifts", ["project_key", "starts_at"]);
    }

    protected override void Down(MigrationBuilder m) => m.DropTable("on_call_shifts");
}
