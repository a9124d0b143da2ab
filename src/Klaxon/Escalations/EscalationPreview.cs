using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Escalations;

/// <summary>A rule of a previewed group for one item: its next due (or why it has none) and how often it would fire in the window.</summary>
public sealed record PreviewRuleAnswer(int Level, string Rule, string? Due, string? Error, int Firings);

/// <summary>An item the previewed group selects now, with each rule's due.</summary>
public sealed record PreviewItemAnswer(string Key, string Summary, string Status, IReadOnlyList<PreviewRuleAnswer> Rules);

/// <summary>How many messages one user would get from the group in the window.</summary>
public sealed record PreviewRecipientAnswer(string Login, int Messages);

/// <summary>
/// What an escalation group would do, computed before it is saved: the items it selects now (<see cref="Matching"/>
/// in all, the first <see cref="EscalationPreview.ListedItems"/> listed), each rule's due for each, and the messages
/// per recipient from <see cref="From"/> to <see cref="Until"/> (7 days), assuming the items stay as they are.
/// <see cref="Truncated"/> says that only the first <see cref="EscalationPreview.SimulatedItems"/> items were simulated.
/// </summary>
public sealed record EscalationPreviewAnswer(
    string From, string Until, int Matching, IReadOnlyList<PreviewItemAnswer> Items, int Firings, int TotalMessages,
    IReadOnlyList<PreviewRecipientAnswer> Messages, bool Truncated);

/// <summary>Runs <see cref="EscalationPlan.Simulate"/> over the items a group selects and counts the messages its notify actions would send.</summary>
public static class EscalationPreview
{
    public static readonly Duration Window = Duration.FromDays(7);
    public const int ListedItems = 100;
    public const int SimulatedItems = 1000;

    /// <param name="replacing">The stored group this one would replace: its recorded firings count, as they would after saving.</param>
    public static async Task<EscalationPreviewAnswer> RunAsync(
        KlaxonDbContext db, CalendarCatalog catalog, string projectKey, Tracker tracker, EscalationGroup group, long? replacing, Instant now,
        CancellationToken cancellationToken)
    {
        var until = now + Window;
        var plan = group.Plan;
        var projectCalendar = await db.Projects.AsNoTracking().Where(p => p.Key == projectKey).Select(p => p.CalendarId).SingleAsync(cancellationToken);
        WorkingCalendar CalendarFor(string? id) => catalog.Get(id ?? projectCalendar);

        var selected = ItemQuery.Matching(db, projectKey, tracker.Key, plan.Predicate, ItemQuery.Now(new FixedClock(now)));
        var matching = await selected.CountAsync(cancellationToken);
        var items = await selected.OrderBy(i => i.Id).Take(SimulatedItems).ToListAsync(cancellationToken);
        var ids = items.Select(i => i.Id).ToList();
        var recorded = replacing is { } groupId
            ? (await db.Escalations.AsNoTracking()
                .Where(e => e.GroupId == groupId && e.Status == EscalationState.Fired && e.Due != null && ids.Contains(e.ItemId))
                .ToListAsync(cancellationToken)).ToLookup(e => e.ItemId)
            : Enumerable.Empty<EscalationRow>().ToLookup(e => e.ItemId);

        var directory = new RecipientDirectory(db);
        var listed = new List<PreviewItemAnswer>();
        var messages = new Dictionary<string, int>(StringComparer.Ordinal);
        var firings = 0;
        foreach (var item in items)
        {
            var fields = new ItemFields(item, tracker);
            var fired = recorded[item.Id]
                .Select(r => new Firing(r.Rule, Instant.FromUnixTimeMilliseconds(r.Due!.Value), Instant.FromUnixTimeMilliseconds(r.FiredAt ?? r.Due!.Value)))
                .ToList();
            var dues = plan.Schedule(fields, now, fired, CalendarFor).ToDictionary(d => d.Rule);
            var simulated = plan.Simulate(fields, now, until, fired, CalendarFor);
            firings += simulated.Count;
            var recipients = new Dictionary<int, List<string>>();
            foreach (var firing in simulated)
            {
                if (plan.Rules[firing.Rule].Actions.Notify is not { IsEmpty: false } notify) continue;
                // Who is on call depends on when the rule fires; everyone else is the same at every firing.
                if (notify.OnCall || !recipients.TryGetValue(firing.Rule, out var logins))
                    recipients[firing.Rule] = logins = await Notifications.RecipientsAsync(directory, db, item, tracker, notify, firing.FiredAt, cancellationToken);
                foreach (var login in logins) messages[login] = messages.GetValueOrDefault(login) + 1;
            }
            if (listed.Count < ListedItems)
            {
                listed.Add(new PreviewItemAnswer(item.Key, item.Summary, item.Status, [.. plan.Rules.Select((rule, i) =>
                {
                    var due = dues.GetValueOrDefault(i);
                    return new PreviewRuleAnswer(i + 1, rule.Name, due?.Due is { } d ? IsoText.FormatInstant(d) : null,
                        due?.Error ?? (due is null ? NoDue(rule) : null), simulated.Count(f => f.Rule == i));
                })]));
            }
        }
        return new EscalationPreviewAnswer(
            IsoText.FormatInstant(now), IsoText.FormatInstant(until), matching, listed, firings, messages.Values.Sum(),
            [.. messages.OrderByDescending(m => m.Value).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => new PreviewRecipientAnswer(m.Key, m.Value))],
            matching > items.Count);
    }

    private static string NoDue(EscalationRule rule) => rule.IsRepeat
        ? "repeats only after another rule fired"
        : $"no due: the item has no {rule.Anchor}, or the rule already fired at this due";

    /// <summary>The preview's instant as the clock <see cref="ItemQuery.Now"/> reads.</summary>
    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
