using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>
/// The calendars table. Written by hand (there is no EF design-time package here): column types are left to
/// the provider, so the same migration runs on SQLite and PostgreSQL.
/// </summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000001_Calendars")]
public sealed class Calendars : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "calendars",
            columns: table => new
            {
                id = table.Column<string>(maxLength: 64, nullable: false),
                name = table.Column<string>(nullable: false),
                definition = table.Column<string>(nullable: false),
                version = table.Column<int>(nullable: false),
                updated_at = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_calendars", c => c.id));
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "calendars");
}
