using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>
/// Users, tokens, groups, projects with roles and members, trackers, items with history and links, views.
/// Hand-written like the first migration; generated keys carry the annotations of both providers.
/// </summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000002_Tracking")]
public sealed class Tracking : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("users", t => new
        {
            login = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            email = t.Column<string>(nullable: false),
            password_hash = t.Column<string>(nullable: true),
            is_admin = t.Column<bool>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_users", x => x.login));

        m.CreateTable("tokens", t => new
        {
            id = Identity(t),
            login = t.Column<string>(nullable: false),
            hash = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_tokens", x => x.id));
        m.CreateIndex("IX_tokens_hash", "tokens", "hash", unique: true);

        m.CreateTable("groups", t => new
        {
            name = t.Column<string>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_groups", x => x.name));

        m.CreateTable("group_members", t => new
        {
            group_name = t.Column<string>(nullable: false),
            login = t.Column<string>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_group_members", x => new { x.group_name, x.login }));

        m.CreateTable("projects", t => new
        {
            key = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            calendar_id = t.Column<string>(nullable: false),
            created_at = t.Column<long>(nullable: false),
            version = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_projects", x => x.key));

        m.CreateTable("roles", t => new
        {
            project_key = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            permissions = t.Column<string>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_roles", x => new { x.project_key, x.name }));

        m.CreateTable("members", t => new
        {
            project_key = t.Column<string>(nullable: false),
            kind = t.Column<string>(nullable: false),
            principal = t.Column<string>(nullable: false),
            roles = t.Column<string>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_members", x => new { x.project_key, x.kind, x.principal }));

        m.CreateTable("trackers", t => new
        {
            key = t.Column<string>(nullable: false),
            project_key = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            definition = t.Column<string>(nullable: false),
            next_number = t.Column<int>(nullable: false),
            version = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_trackers", x => x.key));

        m.CreateTable("items", t => new
        {
            id = Identity(t),
            key = t.Column<string>(nullable: false),
            project_key = t.Column<string>(nullable: false),
            tracker_key = t.Column<string>(nullable: false),
            number = t.Column<int>(nullable: false),
            summary = t.Column<string>(nullable: false),
            description = t.Column<string>(nullable: true),
            status = t.Column<string>(nullable: false),
            priority = t.Column<int>(nullable: true),
            severity = t.Column<int>(nullable: true),
            submitter = t.Column<string>(nullable: false),
            submitted_at = t.Column<long>(nullable: false),
            assigned_to = t.Column<string>(nullable: false),
            supervisors = t.Column<string>(nullable: false),
            start_date = t.Column<long>(nullable: true),
            end_date = t.Column<long>(nullable: true),
            estimated_hours = t.Column<double>(nullable: true),
            resolution = t.Column<string>(nullable: true),
            fields = t.Column<string>(nullable: false),
            version = t.Column<int>(nullable: false),
            updated_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_items", x => x.id));
        m.CreateIndex("IX_items_key", "items", "key", unique: true);
        m.CreateIndex("IX_items_project_key_status_priority", "items", ["project_key", "status", "priority"]);

        m.CreateTable("history", t => new
        {
            id = Identity(t),
            item_id = t.Column<long>(nullable: false),
            at = t.Column<long>(nullable: false),
            actor = t.Column<string>(nullable: false),
            field = t.Column<string>(nullable: false),
            old_value = t.Column<string>(nullable: true),
            new_value = t.Column<string>(nullable: true),
        }, constraints: t => t.PrimaryKey("PK_history", x => x.id));
        m.CreateIndex("IX_history_item_id_id", "history", ["item_id", "id"]);

        m.CreateTable("links", t => new
        {
            id = Identity(t),
            item_id = t.Column<long>(nullable: false),
            type = t.Column<string>(nullable: false),
            target_item_id = t.Column<long>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_links", x => x.id));
        m.CreateIndex("IX_links_item_id_type_target_item_id", "links", ["item_id", "type", "target_item_id"], unique: true);
        m.CreateIndex("IX_links_target_item_id", "links", "target_item_id");

        m.CreateTable("views", t => new
        {
            id = Identity(t),
            project_key = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            tracker_key = t.Column<string>(nullable: false),
            filter = t.Column<string>(nullable: false),
            is_public = t.Column<bool>(nullable: false),
            owner = t.Column<string>(nullable: false),
            version = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_views", x => x.id));
        m.CreateIndex("IX_views_project_key", "views", "project_key");
    }

    /// <summary>A generated 64-bit key on either provider.</summary>
    internal static OperationBuilder<AddColumnOperation> Identity(ColumnsBuilder t) =>
        t.Column<long>(nullable: false)
            .Annotation("Sqlite:Autoincrement", true)
            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

    protected override void Down(MigrationBuilder m)
    {
        foreach (var table in new[] { "views", "links", "history", "items", "trackers", "members", "roles", "projects", "group_members", "groups", "tokens", "users" })
            m.DropTable(table);
    }
}
