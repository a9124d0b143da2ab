using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>
/// The configuration version: one counter that triggers raise, in the writer's own transaction, whenever users,
/// tokens, groups, projects, roles, members, trackers (not their item counter), views or escalation groups change,
/// whoever writes them (this node, another node, the command line). <see cref="ConfigCache"/> keeps what it read
/// for as long as the counter has not moved.
/// </summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000010_ConfigVersion")]
public sealed class ConfigVersion : Migration
{
    /// <summary>The tables whose every change is a configuration change.</summary>
    internal static readonly string[] Tables = ["users", "tokens", "groups", "group_members", "projects", "roles", "members", "views", "escalation_groups"];

    /// <summary>The trackers' columns that are configuration; <c>next_number</c>, raised by every new item, is not.</summary>
    internal const string TrackerColumns = "key, project_key, name, definition, version";

    private const string Bump = "UPDATE config_version SET version = version + 1 WHERE id = 1";

    protected override void Up(MigrationBuilder m)
    {
        m.Sql("CREATE TABLE config_version (id integer NOT NULL PRIMARY KEY, version bigint NOT NULL)");
        m.Sql("INSERT INTO config_version (id, version) VALUES (1, 0)");
        if (m.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            m.Sql($"CREATE FUNCTION klaxon_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {Bump}; RETURN NULL; END $$");
            foreach (var table in Tables)
                m.Sql($"CREATE TRIGGER {table}_config AFTER INSERT OR UPDATE OR DELETE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION klaxon_config_changed()");
            m.Sql($"CREATE TRIGGER trackers_config AFTER INSERT OR DELETE OR UPDATE OF {TrackerColumns} ON trackers FOR EACH STATEMENT EXECUTE FUNCTION klaxon_config_changed()");
        }
        else
        {
            foreach (var table in Tables)
                foreach (var change in new[] { "INSERT", "UPDATE", "DELETE" })
                    m.Sql($"CREATE TRIGGER {table}_{change.ToLowerInvariant()}_config AFTER {change} ON \"{table}\" BEGIN {Bump}; END");
            m.Sql($"CREATE TRIGGER trackers_insert_config AFTER INSERT ON trackers BEGIN {Bump}; END");
            m.Sql($"CREATE TRIGGER trackers_delete_config AFTER DELETE ON trackers BEGIN {Bump}; END");
            m.Sql($"CREATE TRIGGER trackers_update_config AFTER UPDATE OF {TrackerColumns} ON trackers BEGIN {Bump}; END");
        }
    }

    protected override void Down(MigrationBuilder m)
    {
        if (m.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            foreach (var table in Tables.Append("trackers")) m.Sql($"DROP TRIGGER {table}_config ON \"{table}\"");
            m.Sql("DROP FUNCTION klaxon_config_changed()");
        }
        else
        {
            foreach (var table in Tables.Append("trackers"))
                foreach (var change in new[] { "insert", "update", "delete" })
                    m.Sql($"DROP TRIGGER {table}_{change}_config");
        }
        m.Sql("DROP TABLE config_version");
    }
}
