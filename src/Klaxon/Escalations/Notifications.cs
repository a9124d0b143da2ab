using System.Text;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Escalations;

/// <summary>Why a message is sent: which rule fired, what it was anchored on, and when it was due.</summary>
public sealed record FireReason(string Group, string Rule, int Level, string Anchor, string? Limit, LimitUnit Unit, TimeBasis Basis, Instant Due, IReadOnlyList<string> Outcomes);

/// <summary>
/// Who a fired rule notifies, and the message they get, rendered from the item as it is after the rule's actions.
/// Messages are recorded as rows (one per recipient per fire) in the fire's transaction; delivery is separate.
/// </summary>
public static class Notifications
{
    public const string Recorded = "recorded";

    /// <summary>History's field for a notification recorded on the item (<see cref="NotifyAction.RecordInHistory"/>).</summary>
    public const string NotifiedField = "notified";

    /// <summary>
    /// The logins a notify action reaches for an item, each once, in a stable order: submitter, assignees,
    /// supervisors, roles, users, whoever is on call at <paramref name="now"/>, then the members of the groups.
    /// </summary>
    public static async Task<List<string>> RecipientsAsync(
        KlaxonDbContext db, ItemRow item, Tracker tracker, NotifyAction notify, Instant now, CancellationToken cancellationToken)
    {
        var logins = new List<string>();
        if (notify.Submitter) logins.Add(item.Submitter);
        if (notify.Assignees) logins.AddRange(System.Text.Json.JsonSerializer.Deserialize<string[]>(item.AssignedTo) ?? []);
        if (notify.Supervisors) logins.AddRange(System.Text.Json.JsonSerializer.Deserialize<string[]>(item.Supervisors) ?? []);
        foreach (var role in notify.RoleNames)
            logins.AddRange(await Access.MembersInRoleAsync(db, item.ProjectKey, role, notify.OnlyDirectMembers, cancellationToken));
        logins.AddRange(notify.UserLogins);
        if (notify.OnCall) logins.AddRange(await OnCallAsync(db, item.ProjectKey, now, cancellationToken));
        if (notify.GroupNames.Count > 0)
        {
            var fields = new ItemFields(item, tracker);
            var groups = notify.GroupNames.Select(g => MessageTemplate.Render(g, name => ItemValues.Text(fields.Get(name)) ?? "")).ToList();
            logins.AddRange(await db.GroupMembers.AsNoTracking().Where(m => groups.Contains(m.GroupName))
                .OrderBy(m => m.GroupName).ThenBy(m => m.Login).Select(m => m.Login).ToListAsync(cancellationToken));
        }
        var known = await db.Users.AsNoTracking().Where(u => logins.Contains(u.Login)).Select(u => u.Login).ToListAsync(cancellationToken);
        return [.. logins.Distinct().Where(known.Contains)];
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

    public static string Subject(ItemRow item, FireReason reason) => $"[{item.Key}] {item.Summary} — {reason.Group}: {reason.Rule}";

    public static string Body(ItemRow item, FireReason reason)
    {
        var text = new StringBuilder();
        text.AppendLine($"{item.Key}: {item.Summary}");
        text.AppendLine($"Status: {item.Status}   Priority: {item.Priority?.ToString() ?? "-"}   Severity: {item.Severity?.ToString() ?? "-"}");
        text.AppendLine();
        text.AppendLine($"Escalation group '{reason.Group}', level {reason.Level} '{reason.Rule}' fired.");
        text.AppendLine($"Due {IsoText.FormatInstant(reason.Due)}: {reason.Anchor} + {reason.Limit ?? "0"} {reason.Unit.ToString().ToLowerInvariant()} of {(reason.Basis == TimeBasis.Working ? "working" : "calendar")} time.");
        foreach (var outcome in reason.Outcomes) text.AppendLine($"- {outcome}");
        text.AppendLine();
        text.AppendLine($"Item: /items/{item.Key}");
        return text.ToString();
    }
}
