using System.Text;
using Klaxon.Core.Escalation;
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

    /// <summary>The logins a notify action reaches for an item, each once, in a stable order: only those that are users.</summary>
    public static async Task<List<string>> RecipientsAsync(UserDirectory users, ItemRow item, NotifyAction notify, CancellationToken cancellationToken)
    {
        var logins = new List<string>();
        if (notify.Submitter) logins.Add(item.Submitter);
        if (notify.Assignees) logins.AddRange(System.Text.Json.JsonSerializer.Deserialize<string[]>(item.AssignedTo) ?? []);
        if (notify.Supervisors) logins.AddRange(System.Text.Json.JsonSerializer.Deserialize<string[]>(item.Supervisors) ?? []);
        foreach (var role in notify.RoleNames)
            logins.AddRange(await users.MembersInRoleAsync(item.ProjectKey, role, notify.OnlyDirectMembers, cancellationToken));
        logins.AddRange(notify.UserLogins);
        return [.. (await users.KnownAsync(logins, cancellationToken)).Select(u => u.Login)];
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
