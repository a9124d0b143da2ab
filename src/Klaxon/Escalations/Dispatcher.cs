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
public sealed class Dispatcher(IServiceScopeFactory scopes, IClock clock, DispatchSignal signal, StorageLocation storage, ILogger<Dispatcher> log)
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
                await CheckInAsync(stoppingToken);
                await RunDueAsync(stoppingToken);
                var next = await NextDueAsync(stoppingToken);
                await signal.WaitAsync(TimeToSleep(clock.GetCurrentInstant(), next, clock is ManualClock), stoppingToken);
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

    /// <summary>Claims and fires everything due now, earliest first; returns how many it fired.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        await pass.WaitAsync(cancellationToken);
        try
        {
            var fired = 0;
            while (true)
            {
                var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
                List<long> candidates;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
                    candidates = await Claimable(db, nowMs).OrderBy(e => e.Due).ThenBy(e => e.Id).Select(e => e.Id).Take(ClaimBatch).ToListAsync(cancellationToken);
                }
                if (candidates.Count == 0) return fired;
                foreach (var id in candidates)
                {
                    var fireId = Guid.NewGuid().ToString("N");
                    if (!await ClaimAsync(id, fireId, cancellationToken)) continue;
                    if (crashAfterClaim) Environment.FailFast($"{CrashAfterClaimVariable}: crashing after claiming escalation {id}.");
                    if (await FireAsync(id, fireId, cancellationToken)) fired++;
                }
            }
        }
        finally
        {
            pass.Release();
        }
    }

    private static IQueryable<EscalationRow> Claimable(KlaxonDbContext db, long nowMs) =>
        db.Escalations.Where(e => (e.Status == EscalationState.Pending && e.Due <= nowMs) || (e.Status == EscalationState.Claimed && e.LeaseUntil < nowMs));

    private async Task<bool> ClaimAsync(long id, string fireId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        var leaseUntil = nowMs + (long)Lease.TotalMilliseconds;
        var claimed = await Claimable(db, nowMs).Where(e => e.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Status, EscalationState.Claimed)
            .SetProperty(e => e.Owner, NodeId)
            .SetProperty(e => e.LeaseUntil, leaseUntil)
            .SetProperty(e => e.FireId, fireId), cancellationToken);
        return claimed == 1;
    }

    /// <summary>Fires one claimed row in one transaction; false when it turned out not to be due (or not ours).</summary>
    private async Task<bool> FireAsync(long id, string fireId, CancellationToken cancellationToken)
    {
        long itemId;
        bool fired;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var row = await db.Escalations.SingleOrDefaultAsync(e => e.Id == id && e.FireId == fireId && e.Status == EscalationState.Claimed, cancellationToken);
                if (row is null) return false;
                itemId = row.ItemId;
                fired = await DecideAndFireAsync(scope.ServiceProvider, db, row, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Nothing of this attempt was committed; record why, so a poisoned row does not fire forever.
                log.LogError(e, "Firing escalation {Id} failed.", id);
                db.ChangeTracker.Clear();
                await db.Escalations.Where(x => x.Id == id && x.FireId == fireId && x.Status == EscalationState.Claimed)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, EscalationState.Failed).SetProperty(x => x.Error, "firing failed: " + e.Message), cancellationToken);
                return false;
            }
        }
        await using (var scope = scopes.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Rescheduler>().ItemAsync(itemId, cancellationToken);
        return fired;
    }

    private async Task<bool> DecideAndFireAsync(IServiceProvider services, KlaxonDbContext db, EscalationRow row, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var nowMs = now.ToUnixTimeMilliseconds();
        var item = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Id == row.ItemId, cancellationToken);
        if (item is null) return Close(row, EscalationState.Cancelled, "the item was deleted");

        if (row.Kind == EscalationRow.ReminderKind)
        {
            var reason = $"Reminder set by {row.CreatedBy}: {row.Note}";
            await RecordMessagesAsync(db, row, item, [row.CreatedBy!], $"[{item.Key}] Reminder: {row.Note}",
                $"{item.Key}: {item.Summary}\nStatus: {item.Status}\n\n{reason}\n\nItem: /items/{item.Key}\n", EscalationRow.ReminderKind, nowMs, cancellationToken);
            return Fire(row, now, Instant.FromUnixTimeMilliseconds(row.Due!.Value), [$"reminded {row.CreatedBy}"]);
        }

        var trackerRow = await db.Trackers.AsNoTracking().SingleAsync(t => t.Key == item.TrackerKey, cancellationToken);
        var loaded = (await services.GetRequiredService<EscalationGroups>().ForTrackerAsync(db, trackerRow, cancellationToken)).FirstOrDefault(g => g.Row.Id == row.GroupId);
        if (loaded?.Group is not { } group) return Close(row, EscalationState.Cancelled, loaded?.Error ?? "the group was disabled or deleted");
        var tracker = TrackerStorage.Read(trackerRow);
        var fields = new ItemFields(item, tracker);
        if (!group.Plan.Selects(fields, now)) return Close(row, EscalationState.Cancelled, "the item left the group");
        if (row.Rule >= group.Plan.Rules.Count) return Close(row, EscalationState.Cancelled, "the rule was removed");

        var catalog = services.GetRequiredService<CalendarCatalog>();
        var calendarId = await db.Projects.AsNoTracking().Where(p => p.Key == item.ProjectKey).Select(p => p.CalendarId).SingleAsync(cancellationToken);
        var history = await db.Escalations.AsNoTracking()
            .Where(e => e.ItemId == item.Id && e.GroupId == row.GroupId && e.Status == EscalationState.Fired && e.Due != null)
            .Select(e => new { e.Rule, e.Due, e.FiredAt }).ToListAsync(cancellationToken);
        var firings = history.Select(h => new Firing(h.Rule, Instant.FromUnixTimeMilliseconds(h.Due!.Value), Instant.FromUnixTimeMilliseconds(h.FiredAt ?? h.Due!.Value))).ToList();
        var due = group.Plan.Schedule(fields, now, firings, id => catalog.Get(id ?? calendarId)).FirstOrDefault(d => d.Rule == row.Rule);
        if (due is null) return Close(row, EscalationState.Cancelled, "nothing is due for this rule any more (no anchor value, or it fired for this due already)");
        if (due.Error is not null) return Close(row, EscalationState.Failed, due.Error);
        if (due.Due > now)
        {
            // The due moved later since this row was scheduled: wait for it.
            (row.Status, row.Due, row.Owner, row.LeaseUntil, row.FireId) = (EscalationState.Pending, due.Due.Value.ToUnixTimeMilliseconds(), null, null, null);
            return false;
        }
        var firedNow = await db.Escalations.AsNoTracking().CountAsync(e => e.ItemId == item.Id && e.Status == EscalationState.Fired && e.FiredAt == nowMs, cancellationToken);
        if (firedNow >= ChainLimit)
            return Close(row, EscalationState.Failed, $"{ChainLimit} rules already fired for this item at this instant: the actions keep re-triggering rules, so {ChainStopped}");

        var rule = group.Plan.Rules[row.Rule];
        var outcomes = await RunActionsAsync(services, db, item, tracker, group.Name, rule, now, cancellationToken);
        item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == row.ItemId, cancellationToken);
        if (rule.Actions.Notify is { IsEmpty: false } notify)
        {
            var recipients = await Notifications.RecipientsAsync(db, item, tracker, notify, now, cancellationToken);
            outcomes.Add(recipients.Count > 0 ? $"notified {string.Join(", ", recipients)}" : "notified nobody: no recipient is a known user");
            var reason = new FireReason(group.Name, rule.Name, row.Rule + 1, rule.Anchor, rule.Limit?.Text, rule.Unit, rule.Basis, due.Due!.Value, outcomes);
            var firedBefore = firings.Any(f => f.Rule == row.Rule);
            var subject = notify.Subject is { } s ? await Notifications.RenderAsync(db, item, tracker, s, reason, firedBefore, cancellationToken) : Notifications.Subject(item, reason);
            var body = notify.Body is { } b ? await Notifications.RenderAsync(db, item, tracker, b, reason, firedBefore, cancellationToken) : Notifications.Body(item, reason);
            await RecordMessagesAsync(db, row, item, recipients, subject, body, EscalationRow.EscalationKind, nowMs, cancellationToken);
            if (notify.RecordInHistory)
            {
                db.History.Add(new HistoryRow
                {
                    ItemId = item.Id,
                    At = nowMs,
                    Actor = $"escalation:{group.Name}/{rule.Name}",
                    Field = Notifications.NotifiedField,
                    NewValue = $"{(recipients.Count > 0 ? string.Join(", ", recipients) : "nobody")}: {subject}",
                });
            }
        }
        return Fire(row, now, due.Due!.Value, outcomes);
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

    private static async Task RecordMessagesAsync(
        KlaxonDbContext db, EscalationRow row, ItemRow item, IReadOnlyList<string> recipients, string subject, string body, string kind, long nowMs, CancellationToken cancellationToken)
    {
        var emails = await db.Users.AsNoTracking().Where(u => recipients.Contains(u.Login)).ToDictionaryAsync(u => u.Login, u => u.Email, cancellationToken);
        foreach (var login in recipients.Distinct())
        {
            db.Messages.Add(new MessageRow
            {
                ItemId = item.Id,
                EscalationId = row.Id,
                FireId = row.FireId!,
                Kind = kind,
                Recipient = login,
                Email = emails.GetValueOrDefault(login),
                Subject = subject,
                Body = body,
                Status = Notifications.Recorded,
                CreatedAt = nowMs,
            });
        }
    }

    private static bool Fire(EscalationRow row, Instant now, Instant due, IReadOnlyList<string> outcomes)
    {
        row.Status = EscalationState.Fired;
        row.Due = due.ToUnixTimeMilliseconds();
        row.FiredAt = now.ToUnixTimeMilliseconds();
        row.Late = new Firing(row.Rule, due, now).Late;
        row.Outcomes = JsonSerializer.Serialize(outcomes);
        row.LeaseUntil = null;
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
                connection.Notification += (_, _) => signal.Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {DispatchSignal.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
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
