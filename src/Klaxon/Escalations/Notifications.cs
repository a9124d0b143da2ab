using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Delivery;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Escalations;

/// <summary>Why a message is sent: which rule fired, what it was anchored on, and when it was due.</summary>
public sealed record FireReason(string Group, string Rule, int Level, string Anchor, string? Limit, LimitUnit Unit, TimeBasis Basis, Instant Due, IReadOnlyList<string> Outcomes);

/// <summary>
/// Who a fired rule notifies, and the messages they get, rendered from the item as it is after the rule's actions.
/// The engine only records: one outbox row per recipient and one per subscribed webhook, in the fire's
/// transaction; the outbox worker (<see cref="OutboxWorker"/>) delivers them.
/// </summary>
public static class Notifications
{
    /// <summary>Why a message to a user was not mailed on a server without SMTP.</summary>
    public const string NoMail = "mail is not configured (klaxon serve --smtp HOST:PORT --mail-from ADDRESS)";

    /// <summary>History's field for a notification recorded on the item (<see cref="NotifyAction.RecordInHistory"/>).</summary>
    public const string NotifiedField = "notified";

    /// <summary>
    /// The logins a notify action reaches for an item, each once, in a stable order: submitter, assignees,
    /// supervisors, roles, users, whoever is on call at <paramref name="now"/>, then the members of the groups.
    /// </summary>
    public static async Task<List<string>> RecipientsAsync(
        RecipientDirectory directory, KlaxonDbContext db, ItemRow item, Tracker tracker, NotifyAction notify, Instant now, CancellationToken cancellationToken)
    {
        var logins = new List<string>();
        if (notify.Submitter) logins.Add(item.Submitter);
        if (notify.Assignees) logins.AddRange(JsonSerializer.Deserialize<string[]>(item.AssignedTo) ?? []);
        if (notify.Supervisors) logins.AddRange(JsonSerializer.Deserialize<string[]>(item.Supervisors) ?? []);
        foreach (var role in notify.RoleNames)
            logins.AddRange(await directory.MembersInRoleAsync(item.ProjectKey, role, notify.OnlyDirectMembers, cancellationToken));
        logins.AddRange(notify.UserLogins);
        if (notify.OnCall) logins.AddRange(await OnCallAsync(db, item.ProjectKey, now, cancellationToken));
        if (notify.GroupNames.Count > 0)
        {
            var fields = new ItemFields(item, tracker);
            var groups = notify.GroupNames.Select(g => MessageTemplate.Render(g, name => ItemValues.Text(fields.Get(name)) ?? "")).ToList();
            logins.AddRange(await db.GroupMembers.AsNoTracking().Where(m => groups.Contains(m.GroupName))
                .OrderBy(m => m.GroupName).ThenBy(m => m.Login).Select(m => m.Login).ToListAsync(cancellationToken));
        }
        return [.. (await directory.KnownAsync(logins, cancellationToken)).Select(u => u.Login)];
    }

    /// <summary>Who the project's on-call roster names at <paramref name="now"/>, in the order of their shifts.</summary>
    public static async Task<List<string>> OnCallAsync(KlaxonDbContext db, string projectKey, Instant now, CancellationToken cancellationToken)
    {
        var ms = now.ToUnixTimeMilliseconds();
        return await db.OnCallShifts.AsNoTracking().Where(s => s.ProjectKey == projectKey && s.StartsAt <= ms && ms < s.EndsAt)
            .OrderBy(s => s.StartsAt).ThenBy(s => s.Id).Select(s => s.Login).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Fills a rule's own subject or text (<see cref="MessageTemplate"/>) from the item as it is after the actions;
    /// <paramref name="firedBefore"/> says whether this rule fired for the item before (for <c>{update}</c>).
    /// </summary>
    public static async Task<string> RenderAsync(
        KlaxonDbContext db, ItemRow item, Tracker tracker, string template, FireReason reason, bool firedBefore, CancellationToken cancellationToken)
    {
        var fields = new ItemFields(item, tracker);
        var links = template.Contains("{links}", StringComparison.Ordinal) ? await LinksTextAsync(db, item, cancellationToken) : "";
        return MessageTemplate.Render(template, name => name switch
        {
            "links" => links,
            "update" => firedBefore ? "Update: " : "",
            "group" => reason.Group,
            "rule" => reason.Rule,
            "item" => $"/items/{item.Key}",
            _ => ItemValues.Text(fields.Get(name)) ?? "none",
        });
    }

    /// <summary>The items linked to or from <paramref name="item"/>, one a line: key, summary, status, and their user fields (such as the customer).</summary>
    private static async Task<string> LinksTextAsync(KlaxonDbContext db, ItemRow item, CancellationToken cancellationToken)
    {
        var links = await db.Links.AsNoTracking().Where(l => l.ItemId == item.Id || l.TargetItemId == item.Id).ToListAsync(cancellationToken);
        var otherIds = links.Select(l => l.ItemId == item.Id ? l.TargetItemId : l.ItemId).Distinct().ToList();
        var others = await db.Items.AsNoTracking().Where(i => otherIds.Contains(i.Id)).OrderBy(i => i.TrackerKey).ThenBy(i => i.Number).ToListAsync(cancellationToken);
        if (others.Count == 0) return "(no linked items)";
        var trackerKeys = others.Select(o => o.TrackerKey).Distinct().ToList();
        var trackers = (await db.Trackers.AsNoTracking().Where(t => trackerKeys.Contains(t.Key)).ToListAsync(cancellationToken))
            .ToDictionary(t => t.Key, TrackerStorage.Read);
        var text = new StringBuilder();
        foreach (var other in others)
        {
            var type = links.First(l => l.ItemId == other.Id || l.TargetItemId == other.Id).Type;
            var values = new ItemFields(other, trackers[other.TrackerKey]);
            var people = trackers[other.TrackerKey].Fields.Where(f => f.Type == CustomFieldType.User)
                .Select(f => (f.Name, Value: ItemValues.Text(values.Get(ItemValues.CustomPrefix + f.Name))))
                .Where(p => p.Value is not null).Select(p => $"{p.Name}: {p.Value}");
            text.AppendLine($"- {other.Key} ({type}) {other.Summary} [{other.Status}]{string.Concat(people.Select(p => "; " + p))}");
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// A fire as the outbox records it: the message, what fired (one line) and the webhook payload's event part, under
    /// <paramref name="FireId"/> (one message per recipient and fire id) and, for a rule's or reminder's fire, its escalation row.
    /// </summary>
    public sealed record Fired(string FireId, long? EscalationId, ItemRow Item, string Kind, RenderedMessage Message, string Label, JsonObject Event)
    {
        public Fired(EscalationRow row, ItemRow item, string kind, RenderedMessage message, string label, JsonObject @event)
            : this(row.FireId!, row.Id, item, kind, message, label, @event)
        {
        }

        /// <summary>The template the mail was rendered from (<see cref="MessageTemplates"/>): the kind its rows show; webhooks get <see cref="Kind"/>.</summary>
        public string? Template { get; init; }
    }

    /// <summary>
    /// Records the fire's messages to <paramref name="recipients"/> and to the project's webhooks subscribed to its kind;
    /// returns the rows added to the context (saved by the caller).
    /// </summary>
    public static async Task<List<MessageRow>> RecordAsync(
        KlaxonDbContext db, RecipientDirectory directory, DeliverySettings settings, Fired fired, IReadOnlyList<string> recipients, long nowMs, CancellationToken cancellationToken)
    {
        var item = fired.Item;
        var urgent = item.Severity == 1 || item.Priority == 1;
        var added = new List<MessageRow>();
        foreach (var (login, email) in await directory.KnownAsync(recipients, cancellationToken))
        {
            added.Add(Row(fired, nowMs, urgent, login, m =>
            {
                m.Kind = fired.Template ?? fired.Kind;
                m.Email = string.IsNullOrWhiteSpace(email) ? null : email;
                if (settings.Smtp is null)
                {
                    // Without mail the message lives in the user's in-app list only; the worker has nothing to do.
                    m.Status = MessageState.Skipped;
                    m.LastError = NoMail;
                }
                m.Body = fired.Message.Text;
                m.Html = fired.Message.Html;
            }));
        }

        foreach (var hook in (await directory.WebhooksAsync(item.ProjectKey, cancellationToken)).Where(h => (JsonSerializer.Deserialize<string[]>(h.Events) ?? []).Contains(fired.Kind)))
        {
            added.Add(Row(fired, nowMs, urgent, $"webhook:{hook.Id}", m =>
            {
                m.Channel = MessageRow.WebhookChannel;
                m.WebhookId = hook.Id;
                m.Body = Payload(settings, fired, m.DeliveryId, nowMs);
            }));
        }
        db.Messages.AddRange(added);
        return added;
    }

    private static MessageRow Row(Fired fired, long nowMs, bool urgent, string recipient, Action<MessageRow> fill)
    {
        var row = new MessageRow
        {
            ItemId = fired.Item.Id,
            ProjectKey = fired.Item.ProjectKey,
            EscalationId = fired.EscalationId,
            FireId = fired.FireId,
            Kind = fired.Kind,
            Recipient = recipient,
            Subject = fired.Message.Subject,
            Body = "",
            Label = fired.Label,
            Urgent = urgent,
            Status = MessageState.Pending,
            DeliveryId = Guid.NewGuid().ToString("N"),
            NextAttemptAt = nowMs,
            CreatedAt = nowMs,
        };
        fill(row);
        return row;
    }

    /// <summary>The webhook body: the event, its delivery id, the item as it is after the fire, and what fired.</summary>
    private static string Payload(DeliverySettings settings, Fired fired, string deliveryId, long nowMs)
    {
        var item = fired.Item;
        var payload = new JsonObject
        {
            ["event"] = fired.Kind,
            ["deliveryId"] = deliveryId,
            ["at"] = IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(nowMs)),
            ["item"] = new JsonObject
            {
                ["key"] = item.Key,
                ["project"] = item.ProjectKey,
                ["tracker"] = item.TrackerKey,
                ["summary"] = item.Summary,
                ["status"] = item.Status,
                ["priority"] = item.Priority,
                ["severity"] = item.Severity,
                ["assignedTo"] = JsonNode.Parse(item.AssignedTo),
                ["url"] = settings.ItemLink(item.Key),
            },
            [fired.Kind] = fired.Event,
        };
        return payload.ToJsonString();
    }
}
