using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>Per project: whether people's transitions and assignments send messages (both on, as before for every project).</summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000008_ChangeMessages")]
public sealed class ChangeMessages : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.AddColumn<bool>("change_messages_transitions", "projects", nullable: false, defaultValue: true);
        m.AddColumn<bool>("change_messages_assignments", "projects", nullable: false, defaultValue: true);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropColumn("change_messages_transitions", "projects");
        m.DropColumn("change_messages_assignments", "projects");
    }
}
