using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>
/// Item listings restrict to a project and a tracker before a view's filter, and the common filters test status
/// and priority (<c>status == "New" and priority &lt;= 2</c>). The index on (project, tracker, status, priority)
/// serves that restriction and those filters, and counts the matches without reading the rows. It replaces the
/// index on (project, status, priority): a filter names a tracker's fields, so every filtered listing has both.
/// </summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000003_ItemListing")]
public sealed class ItemListing : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.DropIndex("IX_items_project_key_status_priority", "items");
        m.CreateIndex("IX_items_project_key_tracker_key_status_priority", "items", ["project_key", "tracker_key", "status", "priority"]);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropIndex("IX_items_project_key_tracker_key_status_priority", "items");
        m.CreateIndex("IX_items_project_key_status_priority", "items", ["project_key", "status", "priority"]);
    }
}
