using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Escalations;

/// <summary>
/// Keeps the escalation queue true to the items, groups, views and calendars: for each item and each enabled group
/// of its tracker, the pending row of every rule sits at its current due; an item that left a group has its pending
/// rows cancelled; a rule whose due cannot be computed shows as failed with the reason. Fired rows are the record
/// and are never touched: a rule fires again only when its due moves past the due it fired for.
/// </summary>
public sealed class Rescheduler(
    KlaxonDbContext db, CalendarCatalog catalog, CalendarSync calendars, EscalationGroups groups, IClock clock, DispatchSignal signal, ConfigCache configuration)
{
    private const int Batch = 500;

    public Task ItemAsync(long itemId, CancellationToken cancellationToken = default) => ItemsAsync([itemId], cancellationToken);

    /// <summary>Reschedules an item the caller has just changed, as stored now.</summary>
    public Task ItemAsync(ItemRow item, CancellationToken cancellationToken = default) => WithRetriesAsync(() => RescheduleAsync([item], cancellationToken));

    /// <summary>Reschedules every item of a tracker (after a group or view changed).</summary>
    public async Task TrackerAsync(string trackerKey, CancellationToken cancellationToken = default)
    {
        long after = 0;
        while (true)
        {
            var ids = await db.Items.AsNoTracking().Where(i => i.TrackerKey == trackerKey && i.Id > after).OrderBy(i => i.Id).Select(i => i.Id).Take(Batch).ToListAsync(cancellationToken);
            if (ids.Count == 0) return;
            await ItemsAsync(ids, cancellationToken);
            after = ids[^1];
        }
    }

    /// <summary>Reschedules the items whose rules may count time on these calendars (after a calendar changed).</summary>
    public async Task CalendarsAsync(IReadOnlyCollection<string> calendarIds, CancellationToken cancellationToken = default)
    {
        var projects = await db.Projects.AsNoTracking().Where(p => calendarIds.Contains(p.CalendarId)).Select(p => p.Key).ToListAsync(cancellationToken);
        var trackers = await db.EscalationGroups.AsNoTracking()
            .Where(g => g.Enabled).Select(g => new { g.TrackerKey, g.ProjectKey, g.Document }).ToListAsync(cancellationToken);
        foreach (var tracker in trackers
                     .Where(t => projects.Contains(t.ProjectKey) || calendarIds.Any(c => t.Document.Contains($"\"calendar\":\"{c}\"", StringComparison.Ordinal)))
                     .Select(t => t.TrackerKey).Distinct())
            await TrackerAsync(tracker, cancellationToken);
    }

    public Task ItemsAsync(IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken = default) =>
        WithRetriesAsync(async () => await RescheduleAsync(await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id)).ToListAsync(cancellationToken), cancellationToken));

    private async Task WithRetriesAsync(Func<Task> reschedule)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await reschedule();
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // A dispatcher claimed one of the rows meanwhile: read again.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task RescheduleAsync(IReadOnlyList<ItemRow> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0) return;
        var itemIds = items.Select(i => i.Id).ToList();
        var existing = (await db.Escalations
                .Where(e => itemIds.Contains(e.ItemId) && e.Kind == EscalationRow.EscalationKind && e.Status != EscalationState.Cancelled)
                .ToListAsync(cancellationToken))
            .ToLookup(e => e.ItemId);
        long? earliest = null;
        foreach (var byTracker in items.GroupBy(i => i.TrackerKey))
        {
            var trackerRow = await configuration.GetAsync(db, ("tracker", byTracker.Key),
                    () => db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == byTracker.Key, cancellationToken), cancellationToken)
                ?? throw new InvalidOperationException($"Tracker {byTracker.Key} of items being rescheduled is gone.");
            var loaded = await groups.ForTrackerAsync(db, trackerRow, cancellationToken);
            if (loaded.Count == 0 && !byTracker.Any(i => existing[i.Id].Any())) continue;
            earliest = Earlier(earliest, await ScheduleAsync(trackerRow, loaded, byTracker, existing, cancellationToken));
        }
        await SaveAsync(earliest, cancellationToken);
    }

    /// <summary>Schedules a new item, whose row and tracker the caller holds: nothing is queued for it yet.</summary>
    public async Task CreatedAsync(ItemRow item, TrackerRow trackerRow, CancellationToken cancellationToken = default)
    {
        var loaded = await groups.ForTrackerAsync(db, trackerRow, cancellationToken);
        if (loaded.Count == 0) return;
        await SaveAsync(await ScheduleAsync(trackerRow, loaded, [item], Array.Empty<EscalationRow>().ToLookup(e => e.ItemId), cancellationToken), cancellationToken);
    }

    /// <summary>Saves the rows; a pending due earlier than the dispatchers' next wake wakes them.</summary>
    private async Task SaveAsync(long? earliest, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        if (earliest is { } due) await signal.WakeAllIfBeforeAsync(db, Instant.FromUnixTimeMilliseconds(due), cancellationToken);
    }

    private static long? Earlier(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>Brings the rows of one tracker's items in line with its groups; returns the earliest pending due it set.</summary>
    private async Task<long?> ScheduleAsync(
        TrackerRow trackerRow, List<LoadedGroup> loaded, IEnumerable<ItemRow> items, ILookup<long, EscalationRow> existing, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var nowMs = now.ToUnixTimeMilliseconds();
        long? earliest = null;
        var calendarId = await configuration.GetAsync(db, ("calendar of", trackerRow.ProjectKey),
                () => db.Projects.AsNoTracking().Where(p => p.Key == trackerRow.ProjectKey).Select(p => p.CalendarId).SingleOrDefaultAsync(cancellationToken), cancellationToken)
            ?? throw new InvalidOperationException($"Project {trackerRow.ProjectKey} of items being rescheduled is gone.");
        await calendars.EnsureAsync(db, loaded.Where(g => g.Group is not null).SelectMany(g => g.Group!.Plan.Rules).Select(r => r.Calendar ?? calendarId).Append(calendarId), cancellationToken);
        var tracker = TrackerStorage.Read(trackerRow);
        WorkingCalendar CalendarFor(string? id) => catalog.Get(id ?? calendarId);

        foreach (var item in items)
        {
            var rows = existing[item.Id].ToList();
            var fields = new ItemFields(item, tracker);
            foreach (var group in loaded)
            {
                var ofGroup = rows.Where(r => r.GroupId == group.Row.Id).ToList();
                var open = ofGroup.Where(r => r.Status is EscalationState.Pending or EscalationState.Failed).ToList();
                if (group.Group is null)
                {
                    Close(open, EscalationState.Failed, group.Error ?? "the group cannot be compiled");
                    continue;
                }
                if (!group.Group.Plan.Selects(fields, now))
                {
                    Close(open.Where(r => r.Status == EscalationState.Pending), EscalationState.Cancelled, "the item left the group");
                    db.Escalations.RemoveRange(open.Where(r => r.Status == EscalationState.Failed));
                    continue;
                }
                var fired = ofGroup.Where(r => r.Status == EscalationState.Fired && r.Due is not null)
                    .Select(r => new Firing(r.Rule, Instant.FromUnixTimeMilliseconds(r.Due!.Value), Instant.FromUnixTimeMilliseconds(r.FiredAt ?? r.Due!.Value)))
                    .ToList();
                var dues = group.Group.Plan.Schedule(fields, now, fired, CalendarFor);
                foreach (var due in dues)
                {
                    var rule = group.Group.Plan.Rules[due.Rule];
                    var dueMs = due.Due?.ToUnixTimeMilliseconds();
                    var row = open.FirstOrDefault(r => r.Rule == due.Rule);
                    if (row is null)
                    {
                        row = new EscalationRow { ItemId = item.Id, Kind = EscalationRow.EscalationKind, GroupId = group.Row.Id, Rule = due.Rule, RuleName = rule.Name, Status = "", CreatedAt = nowMs };
                        db.Escalations.Add(row);
                    }
                    else open.Remove(row);
                    var status = due.Error is null ? EscalationState.Pending : EscalationState.Failed;
                    // A rule the dispatcher stopped at the chain limit stays stopped for that due; a later due schedules it again.
                    if (row.Status == EscalationState.Failed && row.Due == dueMs && row.Error?.EndsWith(Dispatcher.ChainStopped, StringComparison.Ordinal) == true) continue;
                    if (row.Status != status || row.Due != dueMs || row.Error != due.Error || row.RuleName != rule.Name)
                    {
                        (row.Status, row.Due, row.Error, row.RuleName) = (status, dueMs, due.Error, rule.Name);
                        if (status == EscalationState.Pending) earliest = Earlier(earliest, dueMs);
                    }
                }
                // Rules without an anchor value any more (or fired at this due already) have nothing pending.
                db.Escalations.RemoveRange(open);
            }
            // Groups that were deleted or disabled.
            var active = loaded.Select(g => g.Row.Id).ToHashSet();
            Close(rows.Where(r => r.GroupId is { } g && !active.Contains(g) && r.Status is EscalationState.Pending or EscalationState.Failed),
                EscalationState.Cancelled, "the group was disabled or deleted");
        }
        return earliest;
    }

    private static void Close(IEnumerable<EscalationRow> rows, string status, string reason)
    {
        foreach (var row in rows)
        {
            row.Status = status;
            row.Error = reason;
        }
    }
}
