using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Klaxon.Infrastructure.Migrations;

/// <summary>
/// The durable outbox: delivery state on each message (channel, attempts, next attempt, claim, last error, sent and
/// read instants), project webhooks, per-project rate limits, per-user quiet hours, and the rate-limit windows.
/// </summary>
[DbContext(typeof(KlaxonDbContext))]
[Migration("20261122000006_Notifications")]
public sealed class Notifications : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.AddColumn<string>("channel", "messages", nullable: false, defaultValue: "email");
        m.AddColumn<string>("project_key", "messages", nullable: true);
        m.AddColumn<long>("webhook_id", "messages", nullable: true);
        m.AddColumn<string>("html", "messages", nullable: true);
        m.AddColumn<string>("label", "messages", nullable: true);
        m.AddColumn<bool>("urgent", "messages", nullable: false, defaultValue: false);
        m.AddColumn<string>("delivery_id", "messages", nullable: false, defaultValue: "");
        m.AddColumn<int>("attempts", "messages", nullable: false, defaultValue: 0);
        m.AddColumn<long>("next_attempt_at", "messages", nullable: false, defaultValue: 0L);
        m.AddColumn<string>("held", "messages", nullable: true);
        m.AddColumn<string>("last_error", "messages", nullable: true);
        m.AddColumn<string>("owner", "messages", nullable: true);
        m.AddColumn<string>("claim", "messages", nullable: true);
        m.AddColumn<long>("lease_until", "messages", nullable: true);
        m.AddColumn<long>("sent_at", "messages", nullable: true);
        m.AddColumn<string>("sent_as", "messages", nullable: true);
        m.AddColumn<long>("read_at", "messages", nullable: true);
        // Messages recorded before there was delivery stay in the in-app list; they are not mailed now, late.
        m.Sql("UPDATE messages SET status = 'skipped', last_error = 'recorded before delivery existed' WHERE status = 'recorded'");
        m.CreateIndex("IX_messages_status_next_attempt_at", "messages", ["status", "next_attempt_at"]);
        m.CreateIndex("IX_messages_recipient_id", "messages", ["recipient", "id"]);

        m.CreateTable("webhooks", t => new
        {
            id = Tracking.Identity(t),
            project_key = t.Column<string>(nullable: false),
            url = t.Column<string>(nullable: false),
            events = t.Column<string>(nullable: false),
            secret = t.Column<string>(nullable: false),
            enabled = t.Column<bool>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_webhooks", x => x.id));
        m.CreateIndex("IX_webhooks_project_key", "webhooks", "project_key");

        m.CreateTable("rate_windows", t => new
        {
            recipient = t.Column<string>(nullable: false),
            project_key = t.Column<string>(nullable: false),
            started_at = t.Column<long>(nullable: false),
            sent = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_rate_windows", x => new { x.recipient, x.project_key }));

        m.AddColumn<int>("rate_limit_messages", "projects", nullable: true);
        m.AddColumn<int>("rate_limit_minutes", "projects", nullable: true);
        m.AddColumn<bool>("quiet_hours", "users", nullable: false, defaultValue: false);
        m.AddColumn<string>("calendar_id", "users", nullable: true);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("rate_windows");
        m.DropTable("webhooks");
        m.DropIndex("IX_messages_status_next_attempt_at", "messages");
        m.DropIndex("IX_messages_recipient_id", "messages");
        foreach (var column in new[] { "channel", "project_key", "webhook_id", "html", "label", "urgent", "delivery_id", "attempts", "next_attempt_at", "held", "last_error", "owner", "claim", "lease_until", "sent_at", "sent_as", "read_at" })
            m.DropColumn(column, "messages");
        m.DropColumn("rate_limit_messages", "projects");
        m.DropColumn("rate_limit_minutes", "projects");
        m.DropColumn("quiet_hours", "users");
        m.DropColumn("calendar_id", "users");
    }
}
