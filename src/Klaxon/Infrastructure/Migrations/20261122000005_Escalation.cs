using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>Escalation groups, the escalation queue and record (with reminders), outgoing messages, nodes.</summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000005_Escalation")]
public sealed class Escalation : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("escalation_groups", t => new
        {
            id = Tracking.Identity(t),
            project_key = t.Column<string>(nullable: false),
            tracker_key = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            document = t.Column<string>(nullable: false),
            enabled = t.Column<bool>(nullable: false),
            version = t.Column<int>(nullable: false),
            updated_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_escalation_groups", x => x.id));
        m.CreateIndex("IX_escalation_groups_tracker_key", "escalation_groups", "tracker_key");

        m.CreateTable("escalations", t => new
        {
            id = Tracking.Identity(t),
            item_id = t.Column<long>(nullable: false),
            kind = t.Column<string>(nullable: false),
            group_id = t.Column<long>(nullable: true),
            rule = t.Column<int>(nullable: false),
            rule_name = t.Column<string>(nullable: false),
            due = t.Column<long>(nullable: true),
            status = t.Column<string>(nullable: false),
            error = t.Column<string>(nullable: true),
            owner = t.Column<string>(nullable: true),
            lease_until = t.Column<long>(nullable: true),
            fire_id = t.Column<string>(nullable: true),
            fired_at = t.Column<long>(nullable: true),
            late = t.Column<bool>(nullable: false),
            outcomes = t.Column<string>(nullable: true),
            note = t.Column<string>(nullable: true),
            created_by = t.Column<string>(nullable: true),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_escalations", x => x.id));
        m.CreateIndex("IX_escalations_status_due", "escalations", ["status", "due"]);
        m.CreateIndex("IX_escalations_item_id", "escalations", "item_id");

        m.CreateTable("messages", t => new
        {
            id = Tracking.Identity(t),
            item_id = t.Column<long>(nullable: true),
            escalation_id = t.Column<long>(nullable: true),
            fire_id = t.Column<string>(nullable: false),
            kind = t.Column<string>(nullable: false),
            recipient = t.Column<string>(nullable: false),
            email = t.Column<string>(nullable: true),
            subject = t.Column<string>(nullable: false),
            body = t.Column<string>(nullable: false),
            status = t.Column<string>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_messages", x => x.id));
        // One message per recipient per fire: a fire completed twice cannot send twice.
        m.CreateIndex("IX_messages_fire_id_recipient", "messages", ["fire_id", "recipient"], unique: true);
        m.CreateIndex("IX_messages_item_id", "messages", "item_id");

        m.CreateTable("nodes", t => new
        {
            id = t.Column<string>(nullable: false),
            heartbeat = t.Column<long>(nullable: false),
            started_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_nodes", x => x.id));
    }

    protected override void Down(MigrationBuilder m)
    {
        foreach (var table in new[] { "nodes", "messages", "escalations", "escalation_groups" })
            m.DropTable(table);
    }
}
