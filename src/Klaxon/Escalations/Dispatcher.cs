using System.Text.Json;
using Klaxon.Core;
using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NodaTime;

namespace Klaxon.Escalations;

/// <summary>
/// Fires due escalations and reminders at their due instant. It sleeps until the earliest due or until the schedule
/// changes (a local wake, or PostgreSQL NOTIFY from another node) — it never polls on a fixed interval; it wakes at
/// least every <see cref="Heartbeat"/> to check in. A row is claimed with a conditional update carrying this node's
/// id, a lease and a fresh fire id; the fire (its item changes, outgoing messages and the fired state) is one
/// transaction. A node that dies mid-fire leaves a claim whose lease expires, and any node fires it again — once,
/// since nothing of the first attempt was committed. Escalations that fell due while no node ran fire at start-up,
/// marked late.
/// </summary>
public sealed class Dispatcher(
    IServiceScopeFactory scopes, IClock clock, DispatchSignal signal, Delivery.OutboxSignal outbox, CalendarSync calendars, Delivery.ChangeMessageSwitches switches,
    StorageLocation storage, ILogger<Dispatcher> log)
    : BackgroundService
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>How many rules may fire for one item at one instant: actions that keep re-triggering rules stop here.</summary>
    public const int ChainLimit = 20;

    /// <summary>The error of a rule stopped by <see cref="ChainLimit"/>; it stays failed until its due moves.</summary>
    public const string ChainStopped = "the chain stops here";

    /// <summary>Set to 1 to end the process right after a claim, before the fire (for the crash-recovery test).</summary>
    public const string CrashAfterClaimVariable = "KLAXON_TEST_CRASH_AFTER_CLAIM";

    private const int ClaimBatch = 200;
    private readonly SemaphoreSlim pass = new(1, 1);
    private readonly bool crashAfterClaim = Environment.GetEnvironmentVariable(CrashAfterClaimVariable) == "1";
    private Instant lastHeartbeat = Instant.MinValue;

    /// <summary>This node: host, process and a random part, so that a restarted process is a new node.</summary>
    public string NodeId { get; } = $"{Environment.ProcessId}/{Guid.NewGuid():N}/{Environment.MachineName}" is var id && id.Length > 64 ? id[..64] : id;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!storage.IsSqlite) _ = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                signal.Working();
                await CheckInAsync(stoppingToken);
                await RunDueAsync(stoppingToken);
                var next = await NextDueAsync(stoppingToken);
                var now = clock.GetCurrentInstant();
                var sleep = TimeToSleep(now, next, clock is ManualClock);
                await signal.WaitAsync(sleep, clock is ManualClock ? null : now + Duration.FromTimeSpan(sleep), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
            {
                log.LogError(e, "The dispatcher failed; it tries again in a second.");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// How long to sleep: until the next due (at once when it is past), but no longer than the heartbeat; on the
    /// manual clock time only moves through <see cref="AdvanceAsync"/>, so only wakes and heartbeats matter.
    /// </summary>
    public static TimeSpan TimeToSleep(Instant now, Instant? nextDue, bool manualClock)
    {
        if (manualClock || nextDue is null) return Heartbeat;
        var wait = (nextDue.Value - now).ToTimeSpan();
        return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < Heartbeat ? wait : Heartbeat;
    }

    /// <summary>
    /// Moves the manual clock to <paramref name="target"/>, stopping at every due on the way and firing it, so that
    /// everything due up to the target has fired, in due order, when this returns.
    /// </summary>
    public async Task AdvanceAsync(ManualClock manual, Instant target, CancellationToken cancellationToken)
    {
        while (true)
        {
            await RunDueAsync(cancellationToken);
            var next = await NextDueAsync(cancellationToken);
            if (next is null || next > target) break;
            if (next > manual.GetCurrentInstant()) manual.AdvanceTo(next.Value);
        }
        manual.AdvanceTo(target);
        await RunDueAsync(cancellationToken);
        // Retries, digests and quiet hours are timed on this clock too.
        outbox.Wake();
    }

    /// <summary>The earliest pending due, or the earliest expiry of another node's lease.</summary>
    public async Task<Instant?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var due = await db.Escalations.AsNoTracking().Where(e => e.Status == EscalationState.Pending).MinAsync(e => e.Due, cancellationToken);
        var lease = await db.Escalations.AsNoTracking().Where(e => e.Status == EscalationState.Claimed).MinAsync(e => e.LeaseUntil, cancellationToken);
        var next = (due, lease) switch
        {
            (null, null) => (long?)null,
            (null, _) => lease,
            (_, null) => due,
            _ => Math.Min(due.Value, lease!.Value),
        };
        return next is { } ms ? Instant.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>Claims and fires everything due now, earliest first, a batch at a time; returns how many it fired.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        await pass.WaitAsync(cancellationToken);
        try
        {
            var fired = 0;
            while (true)
            {
                var claimed = await ClaimAsync(cancellationToken);
                if (claimed.Count == 0) return fired;
                if (crashAfterClaim) Environment.FailFast($"{CrashAfterClaimVariable}: crashing after claiming escalation {claimed[0].Id}.");
                fired += await FireAsync(claimed, cancellationToken);
                // The fires' messages are committed: the outbox worker delivers them.
                outbox.Wake();
            }
        }
        finally
        {
            pass.Release();
        }
    }

    /// <summary>A row this node claimed, with the fire id its effects are recorded under.</summary>
    public sealed class ClaimedRow
    {
        public long Id { get; set; }
        public string FireId { get; set; } = "";
    }

    /// <summary>
    /// Claims up to <see cref="ClaimBatch"/> due rows (and rows whose lease expired), earliest first, in one
    /// conditional update: each gets this node as owner, a lease and its own fire id. On PostgreSQL rows another
    /// node is claiming are skipped, not waited for.
    /// </summary>
    private async Task<List<ClaimedRow>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        var leaseUntil = nowMs + (long)Lease.TotalMilliseconds;
        const string claimable = "(status = {0} AND due <= {2}) OR (status = {1} AND lease_until < {2})";
        var skipLocked = storage.IsSqlite ? "" : " FOR UPDATE SKIP LOCKED";
        var sql = $"""
            UPDATE escalations SET status = {"{1}"}, owner = {"{3}"}, lease_until = {"{4}"}, fire_id = {"{5}"} || '-' || CAST(id AS TEXT)
            WHERE id IN (SELECT id FROM escalations WHERE {claimable} ORDER BY due, id LIMIT {ClaimBatch}{skipLocked}) AND ({claimable})
            RETURNING id AS "Id", fire_id AS "FireId"
            """;
        var claimed = await db.Database
            .SqlQueryRaw<ClaimedRow>(sql, EscalationState.Pending, EscalationState.Claimed, nowMs, NodeId, leaseUntil, Guid.NewGuid().ToString("N"))
            .ToListAsync(cancellationToken);
        return [.. claimed.OrderBy(c => c.Id)];
    }

    /// <summary>
    /// Fires claimed rows in one transaction (their item changes, outgoing messages and fired states), then
    /// reschedules their items. When the batch fails, nothing of it was committed and its rows are fired one by one,
    /// so that a row that cannot fire fails alone.
    /// </summary>
    private async Task<int> FireAsync(IReadOnlyList<ClaimedRow> claimed, CancellationToken cancellationToken)
    {
        int fired;
        List<long> itemIds;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var batch = new FireBatch(scope.ServiceProvider, db);
                (fired, itemIds) = await batch.FireAsync(this, claimed, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && claimed.Count > 1)
            {
                log.LogWarning(e, "Firing a batch of {Count} escalations failed; firing them one by one.", claimed.Count);
                fired = 0;
                foreach (var one in claimed) fired += await FireAsync([one], cancellationToken);
                return fired;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Nothing of this attempt was committed; record why, so a poisoned row does not fire forever.
                var (id, fireId) = (claimed[0].Id, claimed[0].FireId);
                log.LogError(e, "Firing escalation {Id} failed.", id);
                db.ChangeTracker.Clear();
                await db.Escalations.Where(x => x.Id == id && x.FireId == fireId && x.Status == EscalationState.Claimed)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, EscalationState.Failed).SetProperty(x => x.Error, "firing failed: " + e.Message), cancellationToken);
                return 0;
            }
        }
        await using (var scope = scopes.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Rescheduler>().ItemsAsync(itemIds, cancellationToken);
        return fired;
    }

    /// <summary>
    /// What firing a batch reads once and shares between its rows: items, trackers with their compiled groups,
    /// project calendars, and each item's fired rows (kept up to date as rows of the batch fire).
    /// </summary>
    private sealed class FireBatch(IServiceProvider services, KlaxonDbContext db)
    {
        private readonly Dictionary<long, ItemRow?> items = [];
        private readonly Dictionary<string, (TrackerRow Row, Tracker Tracker, List<LoadedGroup> Groups)> trackers = [];
        private readonly Dictionary<string, string> calendars = [];
        private ILookup<long, FiredRow> loadedFirings = Array.Empty<FiredRow>().ToLookup(f => f.ItemId);
        private readonly List<FiredRow> firedHere = [];

        public IServiceProvider Services => services;
        public KlaxonDbContext Db => db;
        public RecipientDirectory Directory { get; } = new(db);

        public async Task<(int Fired, List<long> ItemIds)> FireAsync(Dispatcher dispatcher, IReadOnlyList<ClaimedRow> claimed, CancellationToken cancellationToken)
        {
            var ids = claimed.Select(c => c.Id).ToList();
            var fireIds = claimed.ToDictionary(c => c.Id, c => c.FireId);
            var rows = (await db.Escalations.Where(e => ids.Contains(e.Id) && e.Status == EscalationState.Claimed).ToListAsync(cancellationToken))
                .Where(r => r.FireId == fireIds[r.Id]).OrderBy(r => r.Due).ThenBy(r => r.Id).ToList();
            var itemIds = rows.Select(r => r.ItemId).Distinct().ToList();
            foreach (var item in await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id)).ToListAsync(cancellationToken)) items[item.Id] = item;
            loadedFirings = (await db.Escalations.AsNoTracking()
                    .Where(e => itemIds.Contains(e.ItemId) && e.Status == EscalationState.Fired && e.Due != null)
                    .Select(e => new FiredRow(e.ItemId, e.GroupId, e.Rule, e.Due!.Value, e.FiredAt))
                    .ToListAsync(cancellationToken))
                .ToLookup(f => f.ItemId);
            var fired = 0;
            foreach (var row in rows)
                if (await dispatcher.DecideAndFireAsync(this, row, cancellationToken)) fired++;
            return (fired, itemIds);
        }

        public async Task<ItemRow?> ItemAsync(long id, CancellationToken cancellationToken) =>
            items.TryGetValue(id, out var item) ? item : items[id] = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);

        /// <summary>Reads the item again after actions changed it.</summary>
        public async Task<ItemRow> ReloadAsync(long id, CancellationToken cancellationToken)
        {
            items.Remove(id);
            return await ItemAsync(id, cancellationToken) ?? throw new InvalidOperationException($"Item {id} vanished while firing.");
        }

        public async Task<(TrackerRow Row, Tracker Tracker, List<LoadedGroup> Groups)> TrackerAsync(string key, CancellationToken cancellationToken)
        {
            if (trackers.TryGetValue(key, out var known)) return known;
            var row = await db.Trackers.AsNoTracking().SingleAsync(t => t.Key == key, cancellationToken);
            var groups = await services.GetRequiredService<EscalationGroups>().ForTrackerAsync(db, row, cancellationToken);
            return trackers[key] = (row, TrackerStorage.Read(row), groups);
        }

        public async Task<string> CalendarAsync(string projectKey, CancellationToken cancellationToken) =>
            calendars.TryGetValue(projectKey, out var id)
                ? id
                : calendars[projectKey] = await db.Projects.AsNoTracking().Where(p => p.Key == projectKey).Select(p => p.CalendarId).SingleAsync(cancellationToken);

        public IEnumerable<FiredRow> Firings(long itemId) => loadedFirings[itemId].Concat(firedHere.Where(f => f.ItemId == itemId));

        public void Fired(EscalationRow row) => firedHere.Add(new FiredRow(row.ItemId, row.GroupId, row.Rule, row.Due!.Value, row.FiredAt));
    }

    private sealed record FiredRow(long ItemId, long? GroupId, int Rule, long Due, long? FiredAt);

    private async Task<bool> DecideAndFireAsync(FireBatch batch, EscalationRow row, CancellationToken cancellationToken)
    {
        var (services, db) = (batch.Services, batch.Db);
        var now = clock.GetCurrentInstant();
        var nowMs = now.ToUnixTimeMilliseconds();
        var item = await batch.ItemAsync(row.ItemId, cancellationToken);
        if (item is null) return Close(row, EscalationState.Cancelled, "the item was deleted");

        if (row.Kind == EscalationRow.ReminderKind)
        {
            var delivery = services.GetRequiredService<Delivery.DeliverySettings>();
            var reminder = Delivery.MessageTemplates.ForReminder(item, row.CreatedBy!, row.Note ?? "", delivery.ItemLink(item.Key));
            var detail = new System.Text.Json.Nodes.JsonObject
            {
                ["note"] = row.Note, ["setBy"] = row.CreatedBy, ["due"] = Model.IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(row.Due!.Value)),
            };
            await Notifications.RecordAsync(db, batch.Directory, delivery, new(row, item, EscalationRow.ReminderKind, reminder, $"Reminder: {row.Note}", detail), [row.CreatedBy!], nowMs, cancellationToken);
            return Fire(batch, row, now, Instant.FromUnixTimeMilliseconds(row.Due!.Value), [$"reminded {row.CreatedBy}"]);
        }

        var (_, tracker, groups) = await batch.TrackerAsync(item.TrackerKey, cancellationToken);
        var loaded = groups.FirstOrDefault(g => g.Row.Id == row.GroupId);
        if (loaded?.Group is not { } group) return Close(row, EscalationState.Cancelled, loaded?.Error ?? "the group was disabled or deleted");
        var fields = new ItemFields(item, tracker);
        if (!group.Plan.Selects(fields, now)) return Close(row, EscalationState.Cancelled, "the item left the group");
        if (row.Rule >= group.Plan.Rules.Count) return Close(row, EscalationState.Cancelled, "the rule was removed");

        var catalog = services.GetRequiredService<CalendarCatalog>();
        var calendarId = await batch.CalendarAsync(item.ProjectKey, cancellationToken);
        await calendars.EnsureAsync(db, group.Plan.Rules.Select(r => r.Calendar ?? calendarId).Append(calendarId), cancellationToken);
        var history = batch.Firings(item.Id).ToList();
        var firings = history.Where(h => h.GroupId == row.GroupId)
            .Select(h => new Firing(h.Rule, Instant.FromUnixTimeMilliseconds(h.Due), Instant.FromUnixTimeMilliseconds(h.FiredAt ?? h.Due))).ToList();
        var due = group.Plan.Schedule(fields, now, firings, id => catalog.Get(id ?? calendarId)).FirstOrDefault(d => d.Rule == row.Rule);
        if (due is null) return Close(row, EscalationState.Cancelled, "nothing is due for this rule any more (no anchor value, or it fired for this due already)");
        if (due.Error is not null) return Close(row, EscalationState.Failed, due.Error);
        if (due.Due > now)
        {
            // The due moved later since this row was scheduled: wait for it.
            (row.Status, row.Due, row.Owner, row.LeaseUntil, row.FireId) = (EscalationState.Pending, due.Due.Value.ToUnixTimeMilliseconds(), null, null, null);
            return false;
        }
        if (history.Count(h => h.FiredAt == nowMs) >= ChainLimit)
            return Close(row, EscalationState.Failed, $"{ChainLimit} rules already fired for this item at this instant: the actions keep re-triggering rules, so {ChainStopped}");

        var rule = group.Plan.Rules[row.Rule];
        var outcomes = await RunActionsAsync(services, db, item, tracker, group.Name, rule, now, cancellationToken);
        var before = item;
        if (rule.Actions.Transition is not null || rule.Actions.Assignments.Count > 0 || rule.Actions.AssignToRole is not null)
            item = await batch.ReloadAsync(row.ItemId, cancellationToken);
        List<string> recipients = [];
        if (rule.Actions.Notify is { IsEmpty: false } notify)
        {
            recipients = await Notifications.RecipientsAsync(batch.Directory, db, item, tracker, notify, now, cancellationToken);
            outcomes.Add(recipients.Count > 0 ? $"notified {string.Join(", ", recipients)}" : "notified nobody: no recipient is a known user");
        }
        var firedBefore = firings.Any(f => f.Rule == row.Rule);
        await RecordAsync(batch, row, before, item, tracker, group.Name, rule, firedBefore, due.Due!.Value, outcomes, recipients, nowMs, cancellationToken);
        return Fire(batch, row, now, due.Due!.Value, outcomes);
    }

    /// <summary>The rule's actions in order — transition, field updates, assignment — each recorded as an outcome; a refused one does not stop the rest.</summary>
    private static async Task<List<string>> RunActionsAsync(
        IServiceProvider services, KlaxonDbContext db, ItemRow item, Tracker tracker, string group, EscalationRule rule, Instant now, CancellationToken cancellationToken)
    {
        var changes = new ItemChanges(db, services.GetRequiredService<IClock>());
        var actor = ItemActor.Escalation($"escalation:{group}/{rule.Name}");
        var outcomes = new List<string>();
        if (rule.Actions.Transition is { } transition)
        {
            try
            {
                var change = await changes.TransitionAsync(item.Key, transition, actor, cancellationToken: cancellationToken);
                outcomes.Add($"transition '{transition}': {item.Status} → {change.Item.Status}");
                item = change.Item;
            }
            catch (ProblemException refused)
            {
                outcomes.Add($"transition '{transition}' not run: {refused.Message}");
            }
        }
        var values = new Dictionary<string, object?>();
        var fields = new ItemFields(item, tracker);
        foreach (var (field, assignment) in rule.Actions.Assignments)
            values[field] = assignment.Expression is { } expression ? expression.Evaluate(fields, now) : assignment.Constant;
        if (rule.Actions.AssignToRole is { } role)
            values["assignedTo"] = await Access.MembersInRoleAsync(db, item.ProjectKey, role, directOnly: false, cancellationToken);
        if (values.Count > 0)
        {
            try
            {
                var change = await changes.UpdateAsync(item.Key, values, actor, cancellationToken: cancellationToken);
                foreach (var c in change.Changes) outcomes.Add($"set {c.Field}: {ItemValues.Text(c.OldValue) ?? "(empty)"} → {ItemValues.Text(c.NewValue) ?? "(empty)"}");
                if (change.Changes.Count == 0) outcomes.Add("field updates changed nothing");
            }
            catch (ProblemException refused)
            {
                outcomes.Add($"field updates not made: {refused.Message}");
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Records the fire's messages: to the recipients of its notify action (in the rule's own words when it has a
    /// subject or text template), and to the project's webhooks; with "record in history" the item's history notes
    /// who was told what.
    /// </summary>
    private static async Task RecordAsync(FireBatch batch, EscalationRow row, ItemRow before, ItemRow item, Tracker tracker, string group, EscalationRule rule,
        bool firedBefore, Instant due, IReadOnlyList<string> outcomes, IReadOnlyList<string> recipients, long nowMs, CancellationToken cancellationToken)
    {
        var db = batch.Db;
        var delivery = batch.Services.GetRequiredService<Delivery.DeliverySettings>();
        var reason = new FireReason(group, rule.Name, row.Rule + 1, rule.Anchor, rule.Limit?.Text, rule.Unit, rule.Basis, due, outcomes);
        var detail = new System.Text.Json.Nodes.JsonObject
        {
            ["group"] = group, ["rule"] = rule.Name, ["level"] = row.Rule + 1, ["anchor"] = rule.Anchor, ["limit"] = rule.Limit?.Text,
            ["unit"] = rule.Unit.ToString().ToLowerInvariant(), ["basis"] = rule.Basis.ToString().ToLowerInvariant(),
            ["due"] = Model.IsoText.FormatInstant(due), ["firedAt"] = Model.IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(nowMs)),
            ["late"] = new Firing(row.Rule, due, Instant.FromUnixTimeMilliseconds(nowMs)).Late,
            ["outcomes"] = new System.Text.Json.Nodes.JsonArray([.. outcomes.Select(o => (System.Text.Json.Nodes.JsonNode?)o)]),
            ["recipients"] = new System.Text.Json.Nodes.JsonArray([.. recipients.Select(r => (System.Text.Json.Nodes.JsonNode?)r)]),
        };
        var (template, message) = Delivery.MessageTemplates.ForEscalation(before, item, reason, delivery.ItemLink(item.Key));
        if (rule.Actions.Notify is { } notify && (notify.Subject is not null || notify.Body is not null))
        {
            var subject = notify.Subject is { } s ? await Notifications.RenderAsync(db, item, tracker, s, reason, firedBefore, cancellationToken) : message.Subject;
            message = notify.Body is { } b ? Delivery.MessageTemplates.Custom(subject, await Notifications.RenderAsync(db, item, tracker, b, reason, firedBefore, cancellationToken)) : message with { Subject = subject };
        }
        await Notifications.RecordAsync(db, batch.Directory, delivery, new(row, item, EscalationRow.EscalationKind, message, $"{group}: level {row.Rule + 1} '{rule.Name}'", detail) { Template = template },
            recipients, nowMs, cancellationToken);
        if (rule.Actions.Notify is { RecordInHistory: true })
        {
            db.History.Add(new HistoryRow
            {
                ItemId = item.Id,
                At = nowMs,
                Actor = $"escalation:{group}/{rule.Name}",
                Field = Notifications.NotifiedField,
                NewValue = $"{(recipients.Count > 0 ? string.Join(", ", recipients) : "nobody")}: {message.Subject}",
            });
        }
    }

    private static bool Fire(FireBatch batch, EscalationRow row, Instant now, Instant due, IReadOnlyList<string> outcomes)
    {
        row.Status = EscalationState.Fired;
        row.Due = due.ToUnixTimeMilliseconds();
        row.FiredAt = now.ToUnixTimeMilliseconds();
        row.Late = new Firing(row.Rule, due, now).Late;
        row.Outcomes = JsonSerializer.Serialize(outcomes);
        row.LeaseUntil = null;
        batch.Fired(row);
        return true;
    }

    private static bool Close(EscalationRow row, string status, string reason)
    {
        row.Status = status;
        row.Error = reason;
        row.LeaseUntil = null;
        return false;
    }

    private async Task CheckInAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        if (clock is not ManualClock && now - lastHeartbeat < Duration.FromTimeSpan(Heartbeat)) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var nowMs = now.ToUnixTimeMilliseconds();
        if (await db.Nodes.Where(n => n.Id == NodeId).ExecuteUpdateAsync(s => s.SetProperty(n => n.Heartbeat, nowMs), cancellationToken) == 0)
        {
            db.Nodes.Add(new NodeRow { Id = NodeId, Heartbeat = nowMs, StartedAt = nowMs });
            await db.SaveChangesAsync(cancellationToken);
        }
        lastHeartbeat = now;
    }

    /// <summary>On PostgreSQL: wakes this node when another node changes the schedule.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(storage.PostgresConnection);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == CalendarSync.Channel) calendars.MarkStale();
                    else if (e.Channel == Delivery.ChangeMessageSwitches.Channel) switches.ForgetAll();
                    else signal.Wake();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {DispatchSignal.Channel}; LISTEN {CalendarSync.Channel}; LISTEN {Delivery.ChangeMessageSwitches.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // A change made while this node was not listening is not missed.
                switches.ForgetAll();
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                log.LogWarning(e, "Listening for schedule changes failed; listening again in a second.");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
