using System.Net;
using System.Text;
using Klaxon.Core.Escalation;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using NodaTime;

namespace Klaxon.Delivery;

/// <summary>A message as sent: subject, plain text and HTML.</summary>
public sealed record RenderedMessage(string Subject, string Text, string Html);

/// <summary>
/// The mail templates, one per kind of message — escalation, transition (a rule or a person moved the item's status),
/// assignment (a rule or a person assigned people), reminder — each in plain text and HTML, plus the two the outbox
/// composes: several messages of one fire to one recipient, and a digest.
/// Every message names the item (key, summary, status, priority, severity) and links to its page.
/// </summary>
public static class MessageTemplates
{
    public const string Escalation = "escalation";
    public const string Reminder = "reminder";
    public const string Transition = "transition";
    public const string Assignment = "assignment";

    /// <summary>
    /// A rule fired: which one, why (anchor, limit, due, basis) and what its actions changed. The template follows what
    /// the rule did to the item (<paramref name="before"/> → <paramref name="item"/>): <see cref="Assignment"/> when it
    /// assigned people, else <see cref="Transition"/> when it moved the status, else <see cref="Escalation"/>.
    /// </summary>
    public static (string Kind, RenderedMessage Message) ForEscalation(ItemRow before, ItemRow item, FireReason reason, string link)
    {
        var why = $"Due {IsoText.FormatInstant(reason.Due)}: {reason.Anchor} + {reason.Limit ?? "0"} {reason.Unit.ToString().ToLowerInvariant()} of {(reason.Basis == TimeBasis.Working ? "working" : "calendar")} time.";
        var fired = $"Escalation group '{reason.Group}', level {reason.Level} '{reason.Rule}' fired.";
        var subject = $"[{item.Key}] {item.Summary} — {reason.Group}: {reason.Rule}";
        var assigned = People(item.AssignedTo).Except(People(before.AssignedTo)).ToList();
        if (assigned.Count > 0)
            return (Assignment, Render(item, $"{subject} (assigned to {string.Join(", ", assigned)})", [$"Assigned to {string.Join(", ", assigned)} by this escalation.", fired, why], reason.Outcomes, link));
        if (before.Status != item.Status)
            return (Transition, Render(item, $"{subject} ({before.Status} → {item.Status})", [$"Moved from {before.Status} to {item.Status} by this escalation.", fired, why], reason.Outcomes, link));
        return (Escalation, Render(item, subject, [fired, why], reason.Outcomes, link));
    }

    /// <summary>A rule's own subject and text (its message template, filled from the item), with the text as HTML paragraphs.</summary>
    public static RenderedMessage Custom(string subject, string text) => new(subject, text, Paragraphs(text));

    /// <summary>
    /// A person (<paramref name="by"/>) assigned people to the item, on creating it or by changing its assignees from
    /// <paramref name="before"/> to <paramref name="after"/>.
    /// </summary>
    public static RenderedMessage ForAssignment(ItemRow item, string by, IReadOnlyList<string> before, IReadOnlyList<string> after, string link)
    {
        var added = after.Except(before).ToList();
        var subject = $"[{item.Key}] {item.Summary} — assigned to {string.Join(", ", added)} by {by}";
        return Render(item, subject, [$"{by} assigned {item.Key} to {string.Join(", ", added)}."], [$"assignedTo: {Names(before)} → {Names(after)}"], link);
    }

    /// <summary>A person (<paramref name="by"/>) ran the workflow transition <paramref name="transition"/>, moving the item from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static RenderedMessage ForTransition(ItemRow item, string by, string transition, string from, string to, string link) =>
        Render(item, $"[{item.Key}] {item.Summary} — {transition}: {from} → {to} by {by}", [$"{by} ran '{transition}': {from} → {to}."], [$"status: {from} → {to}"], link);

    private static string Names(IReadOnlyList<string> logins) => logins.Count == 0 ? "(nobody)" : string.Join(", ", logins);

    public static RenderedMessage ForReminder(ItemRow item, string setBy, string note, string link) =>
        Render(item, $"[{item.Key}] Reminder: {note}", [$"Reminder set by {setBy}: {note}"], [], link);

    private static IEnumerable<string> People(string json) => System.Text.Json.JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static RenderedMessage Render(ItemRow item, string subject, IReadOnlyList<string> lines, IReadOnlyList<string> changes, string link)
    {
        var state = $"Status: {item.Status}   Priority: {item.Priority?.ToString() ?? "-"}   Severity: {item.Severity?.ToString() ?? "-"}";
        var text = new StringBuilder();
        text.AppendLine($"{item.Key}: {item.Summary}");
        text.AppendLine(state);
        text.AppendLine();
        foreach (var line in lines) text.AppendLine(line);
        foreach (var change in changes) text.AppendLine($"- {change}");
        text.AppendLine();
        text.AppendLine($"Item: {link}");

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body>");
        html.Append($"<h2><a href=\"{E(link)}\">{E(item.Key)}</a>: {E(item.Summary)}</h2>");
        html.Append($"<p>{E(state)}</p>");
        foreach (var line in lines) html.Append($"<p>{E(line)}</p>");
        if (changes.Count > 0) html.Append("<ul>").Append(string.Concat(changes.Select(c => $"<li>{E(c)}</li>"))).Append("</ul>");
        html.Append($"<p><a href=\"{E(link)}\">Open {E(item.Key)}</a></p></body></html>");
        return new RenderedMessage(subject, text.ToString(), html.ToString());
    }

    /// <summary>
    /// Several messages about one item reached the same recipient at one instant (rules of one fire, or a person's change
    /// and the rules it set off): one message listing them, then each in full.
    /// </summary>
    public static RenderedMessage Merged(IReadOnlyList<MessageRow> rows)
    {
        if (rows.Count == 1) return new RenderedMessage(rows[0].Subject, rows[0].Body, rows[0].Html ?? Paragraphs(rows[0].Body));
        var labels = rows.Select(r => r.Label ?? r.Subject).ToList();
        var prefix = rows[0].Subject.Split(" — ")[0];
        // A person's change has no escalation row.
        var what = rows.All(r => r.EscalationId is not null) ? "rules fired" : "updates";
        var subject = $"{prefix} — {rows.Count} {what}: {string.Join("; ", labels)}";
        var text = new StringBuilder($"{rows.Count} {what} at once:{Environment.NewLine}");
        foreach (var label in labels) text.AppendLine($"- {label}");
        // Each message keeps its own subject as the heading of its part (a rule may have written its own).
        foreach (var row in rows) text.AppendLine().AppendLine("----").AppendLine(row.Subject).AppendLine().Append(row.Body);
        var html = new StringBuilder($"<!DOCTYPE html><html><body><p>{rows.Count} {what} at once:</p><ul>");
        html.Append(string.Concat(labels.Select(l => $"<li>{E(l)}</li>"))).Append("</ul>");
        foreach (var row in rows) html.Append("<hr>").Append($"<h3>{E(row.Subject)}</h3>").Append(Inner(row.Html) ?? Paragraphs(row.Body));
        html.Append("</body></html>");
        return new RenderedMessage(subject, text.ToString(), html.ToString());
    }

    /// <summary>The messages held back by the rate limit, listed in one mail at the end of the window.</summary>
    public static RenderedMessage Digest(IReadOnlyList<MessageRow> rows, RateLimit limit, Instant windowStart)
    {
        var intro = $"More than {limit.Messages} messages came for you within {limit.Minutes} minutes from {IsoText.FormatInstant(windowStart)}; " +
            $"the other {rows.Count} are listed here.";
        var subject = $"[Klaxon] Digest: {rows.Count} held messages";
        var text = new StringBuilder(intro).AppendLine().AppendLine();
        foreach (var row in rows) text.AppendLine($"- {IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(row.CreatedAt))} {row.Subject}");
        foreach (var row in rows) text.AppendLine().AppendLine("----").Append(row.Body);
        var html = new StringBuilder($"<!DOCTYPE html><html><body><p>{E(intro)}</p><ol>");
        html.Append(string.Concat(rows.Select(r => $"<li>{E(IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(r.CreatedAt)))} {E(r.Subject)}</li>"))).Append("</ol>");
        foreach (var row in rows) html.Append("<hr>").Append(Inner(row.Html) ?? Paragraphs(row.Body));
        html.Append("</body></html>");
        return new RenderedMessage(subject, text.ToString(), html.ToString());
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Paragraphs(string text) => string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"<p>{E(l.TrimEnd('\r'))}</p>"));

    private static string? Inner(string? html)
    {
        if (html is null) return null;
        const string open = "<body>", close = "</body>";
        var start = html.IndexOf(open, StringComparison.Ordinal);
        var end = html.LastIndexOf(close, StringComparison.Ordinal);
        return start >= 0 && end > start ? html[(start + open.Length)..end] : html;
    }
}
