using Klaxon.Core;
using Klaxon.Core.Calendars;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NodaTime;

namespace Klaxon.Delivery;

/// <summary>
/// Delivers the outbox. It claims ready messages with a conditional update carrying this node's id, a claim token
/// and a lease (so several nodes on one PostgreSQL never take the same row), sends them — mail over SMTP, webhooks
/// over HTTP, several at once — and marks each sent in the update that follows its success. A failure is retried
/// with exponential backoff and jitter, then the message is dead with the last error. Before sending a mail it
/// applies quiet hours and the per-recipient rate limit, and merges the messages one fire sends to one recipient.
/// All waits are on the server's clock: with the manual clock they pass when the clock is advanced.
/// It sleeps until the earliest next attempt or a wake (<see cref="OutboxSignal"/>), at most <see cref="Heartbeat"/>.
/// </summary>
public sealed class OutboxWorker(
    IServiceScopeFactory scopes, IClock clock, OutboxSignal signal, DeliverySettings settings, CalendarCatalog catalog, ILogger<OutboxWorker> log)
    : BackgroundService
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    public static readonly Duration Lease = Duration.FromMinutes(5);
    private const int ClaimBatch = 500;

    private readonly SemaphoreSlim pass = new(1, 1);
    private readonly WebhookSender webhooks = new();
    private readonly MailSender mailSender = new(settings.Concurrency);

    public string NodeId { get; } = $"{Environment.ProcessId}/{Guid.NewGuid():N}/{Environment.MachineName}" is var id && id.Length > 64 ? id[..64] : id;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunReadyAsync(stoppingToken);
                var next = await NextAttemptAsync(stoppingToken);
                await signal.WaitAsync(Dispatcher.TimeToSleep(clock.GetCurrentInstant(), next, clock is ManualClock), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or NpgsqlException or Microsoft.Data.Sqlite.SqliteException)
            {
                log.LogError(e, "The outbox worker failed; it tries again in a second.");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>On a clean stop, the messages this node claimed but did not send go back to pending for any node.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
            await db.Messages.Where(m => m.Owner == NodeId && m.Status == MessageState.Sending)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageState.Pending).SetProperty(m => m.Owner, (string?)null).SetProperty(m => m.Claim, (string?)null), cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or NpgsqlException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            log.LogWarning(e, "Releasing this node's claimed messages failed; their lease expires instead.");
        }
        webhooks.Dispose();
        mailSender.Dispose();
    }

    /// <summary>The earliest next attempt of a waiting message, or the earliest lease expiry of a claimed one.</summary>
    public async Task<Instant?> NextAttemptAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var next = await db.Messages.AsNoTracking().Where(m => m.Status == MessageState.Pending || m.Status == MessageState.Held).MinAsync(m => (long?)m.NextAttemptAt, cancellationToken);
        var lease = await db.Messages.AsNoTracking().Where(m => m.Status == MessageState.Sending).MinAsync(m => m.LeaseUntil, cancellationToken);
        var ms = (next, lease) switch
        {
            (null, null) => (long?)null,
            (null, _) => lease,
            (_, null) => next,
            _ => Math.Min(next.Value, lease!.Value),
        };
        return ms is { } v ? Instant.FromUnixTimeMilliseconds(v) : null;
    }

    /// <summary>
    /// Messages the worker may take now: waiting ones whose next attempt has come, and claimed ones whose lease expired.
    /// A message waits while another rule of its item is due at or before its fire (or being fired), so that a
    /// recipient reached by several rules of one fire gets them merged into one mail.
    /// </summary>
    private static IQueryable<MessageRow> Ready(KlaxonDbContext db, long nowMs) =>
        db.Messages.Where(m =>
                ((m.Status == MessageState.Pending || m.Status == MessageState.Held) && m.NextAttemptAt <= nowMs)
                || (m.Status == MessageState.Sending && m.LeaseUntil < nowMs))
            .Where(m => !db.Escalations.Any(e => e.ItemId == m.ItemId
                && (e.Status == EscalationState.Claimed || (e.Status == EscalationState.Pending && e.Due <= m.CreatedAt))));

    /// <summary>Claims and delivers everything ready now; returns how many messages it settled (sent, held, dead or skipped).</summary>
    public async Task<int> RunReadyAsync(CancellationToken cancellationToken)
    {
        await pass.WaitAsync(cancellationToken);
        try
        {
            var settled = 0;
            while (true)
            {
                var (claim, rows) = await ClaimAsync(cancellationToken);
                if (rows.Count == 0) return settled;
                settled += rows.Count;
                var deliveries = await PlanAsync(claim, rows, cancellationToken);
                // Each outcome is recorded as soon as it is known; outcomes that arrive together share one commit.
                // Sends are not cancelled by a stop: a mail that went out is marked sent.
                var outcomes = System.Threading.Channels.Channel.CreateUnbounded<Outcome>(new() { SingleReader = true });
                var recording = RecordOutcomesAsync(claim, outcomes.Reader);
                try
                {
                    await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Concurrency) },
                        async (delivery, _) => outcomes.Writer.TryWrite(await SendAsync(delivery)));
                }
                finally
                {
                    outcomes.Writer.Complete();
                    await recording;
                }
            }
        }
        finally
        {
            pass.Release();
        }
    }

    private async Task<(string Claim, List<MessageRow> Rows)> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        var candidates = await Ready(db, nowMs).OrderBy(m => m.CreatedAt).ThenBy(m => m.ItemId).ThenBy(m => m.Recipient).ThenBy(m => m.Id)
            .Select(m => new { m.Id, m.ItemId, m.Recipient, m.CreatedAt }).Take(ClaimBatch).ToListAsync(cancellationToken);
        if (candidates.Count == ClaimBatch)
        {
            // The batch may end inside the messages of one fire to one recipient: leave that fire to the next batch.
            var last = candidates[^1];
            var trimmed = candidates.Where(c => !(c.ItemId == last.ItemId && c.Recipient == last.Recipient && c.CreatedAt == last.CreatedAt)).ToList();
            if (trimmed.Count > 0) candidates = trimmed;
        }
        if (candidates.Count == 0) return ("", []);
        var ids = candidates.Select(c => c.Id).ToList();
        var claim = Guid.NewGuid().ToString("N");
        var leaseUntil = nowMs + (long)Lease.TotalMilliseconds;
        await Ready(db, nowMs).Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MessageState.Sending)
            .SetProperty(m => m.Owner, NodeId)
            .SetProperty(m => m.Claim, claim)
            .SetProperty(m => m.LeaseUntil, leaseUntil), cancellationToken);
        var rows = await db.Messages.AsNoTracking().Where(m => m.Claim == claim).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        return (claim, rows);
    }

    /// <summary>One mail or webhook request, carrying one or more messages.</summary>
    private sealed record Planned(List<MessageRow> Rows, Func<CancellationToken, Task> Send, string SentAs);

    /// <summary>Decides what happens to each claimed message: skipped, held (quiet hours, rate limit), or sent alone, merged or in a digest.</summary>
    private async Task<List<Planned>> PlanAsync(string claim, List<MessageRow> rows, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var now = clock.GetCurrentInstant();
        var nowMs = now.ToUnixTimeMilliseconds();
        var planned = new List<Planned>();

        var hookIds = rows.Where(r => r.WebhookId is not null).Select(r => r.WebhookId!.Value).Distinct().ToList();
        var hooks = await db.Webhooks.AsNoTracking().Where(h => hookIds.Contains(h.Id)).ToDictionaryAsync(h => h.Id, cancellationToken);
        foreach (var row in rows.Where(r => r.Channel == MessageRow.WebhookChannel))
        {
            if (row.WebhookId is not { } hookId || !hooks.TryGetValue(hookId, out var hook) || !hook.Enabled)
            {
                await SettleAsync(db, claim, [row], MessageState.Skipped, "the webhook was deleted or disabled", cancellationToken);
                continue;
            }
            planned.Add(new Planned([row], ct => webhooks.SendAsync(hook.Url, hook.Secret, row.Kind, row.DeliveryId, row.Body, ct), row.DeliveryId));
        }

        var mails = rows.Where(r => r.Channel == MessageRow.EmailChannel).ToList();
        if (mails.Count == 0) return planned;
        var logins = mails.Select(r => r.Recipient).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => logins.Contains(u.Login)).ToDictionaryAsync(u => u.Login, cancellationToken);
        var projectKeys = mails.Select(r => r.ProjectKey).OfType<string>().Distinct().ToList();
        var limits = (await db.Projects.AsNoTracking().Where(p => projectKeys.Contains(p.Key)).ToListAsync(cancellationToken))
            .ToDictionary(p => p.Key, p => new RateLimit(p.RateLimitMessages ?? settings.RateLimit.Messages, p.RateLimitMinutes ?? settings.RateLimit.Minutes));
        var items = mails.Select(r => r.ItemId).OfType<long>().Distinct().ToList();
        var itemKeys = await db.Items.AsNoTracking().Where(i => items.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Key, cancellationToken);

        var windowRows = await db.RateWindows.AsNoTracking().Where(w => logins.Contains(w.Recipient)).ToListAsync(cancellationToken);
        var windows = windowRows.ToDictionary(w => (w.Recipient, w.ProjectKey), w => new Window(w.StartedAt, w.Sent, Stored: true));
        var holds = new List<(List<MessageRow> Rows, string Why, long Until, (string, string)? Window)>();
        var sends = new List<(Planned Delivery, (string, string)? Window)>();

        // Digests first (messages held by the rate limit whose window ended), then each fire's messages to each recipient.
        var groups = mails
            .GroupBy(r => r.Held == MessageState.RateLimited ? $"digest\n{r.Recipient}\n{r.ProjectKey}" : $"fire\n{r.Recipient}\n{r.ItemId}\n{r.CreatedAt}")
            .OrderBy(g => g.Key.StartsWith("digest", StringComparison.Ordinal) ? 0 : 1).ThenBy(g => g.Min(r => r.CreatedAt)).ThenBy(g => g.Min(r => r.Id));
        foreach (var group in groups)
        {
            var messages = group.OrderBy(r => r.Id).ToList();
            var first = messages[0];
            var digest = first.Held == MessageState.RateLimited;
            var user = users.GetValueOrDefault(first.Recipient);
            var address = messages.Select(m => m.Email).FirstOrDefault(e => e is not null) ?? user?.Email;
            if (settings.Smtp is not { } smtp)
            {
                await SettleAsync(db, claim, messages, MessageState.Skipped, Notifications.NoMail, cancellationToken);
                continue;
            }
            if (string.IsNullOrWhiteSpace(address))
            {
                await SettleAsync(db, claim, messages, MessageState.Skipped, $"the user '{first.Recipient}' has no e-mail address", cancellationToken);
                continue;
            }
            if (user is { QuietHours: true } && !messages.Any(m => m.Urgent))
            {
                var calendar = catalog.TryGet(user.CalendarId ?? CalendarDefinition.SystemId, out var own) ? own : catalog.Get(CalendarDefinition.SystemId);
                if (!calendar.IsWorking(now))
                {
                    holds.Add((messages, digest ? MessageState.RateLimited : MessageState.QuietHours, calendar.NextWorkingInstant(now).ToUnixTimeMilliseconds(), null));
                    continue;
                }
            }
            var limit = first.ProjectKey is { } key && limits.TryGetValue(key, out var own2) ? own2 : settings.RateLimit;
            var itemKey = first.ItemId is { } itemId ? itemKeys.GetValueOrDefault(itemId) : null;
            if (digest)
            {
                var windowStart = Instant.FromUnixTimeMilliseconds(first.NextAttemptAt) - Duration.FromMinutes(limit.Minutes);
                var mail = new OutgoingMail(address, MessageTemplates.Digest(messages, limit, windowStart), first.DeliveryId, null);
                sends.Add((new Planned(messages, ct => mailSender.SendAsync(smtp, mail, ct), first.DeliveryId), null));
                continue;
            }
            // The recipient's window for this project: opened by the first mail, at most limit.Messages mails until it ends.
            var windowKey = (first.Recipient, first.ProjectKey ?? "");
            var length = (long)limit.Minutes * 60_000;
            var window = windows.GetValueOrDefault(windowKey) ?? new Window(nowMs, 0, Stored: false);
            if (nowMs >= window.Start + length) window = window with { Start = nowMs, Sent = 0 };
            if (window.Sent >= limit.Messages)
            {
                holds.Add((messages, MessageState.RateLimited, window.Start + length, windowKey));
                continue;
            }
            windows[windowKey] = window with { Sent = window.Sent + 1, Changed = true };
            var single = new OutgoingMail(address, MessageTemplates.Merged(messages), first.DeliveryId, itemKey);
            sends.Add((new Planned(messages, ct => mailSender.SendAsync(smtp, single, ct), first.DeliveryId), windowKey));
        }

        // One commit for the windows and the holds. A window another node changed meanwhile (its conditional update
        // matches nothing) is not taken: its messages go back to pending, to be planned again on the current window.
        var contested = new HashSet<(string, string)>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            foreach (var (key, window) in windows.Where(w => w.Value.Changed))
            {
                var stored = windowRows.FirstOrDefault(w => w.Recipient == key.Item1 && w.ProjectKey == key.Item2);
                var written = stored is null
                    ? await db.Database.ExecuteSqlInterpolatedAsync(
                        $"INSERT INTO rate_windows (recipient, project_key, started_at, sent) VALUES ({key.Item1}, {key.Item2}, {window.Start}, {window.Sent}) ON CONFLICT DO NOTHING",
                        cancellationToken)
                    : await db.RateWindows.Where(w => w.Recipient == key.Item1 && w.ProjectKey == key.Item2 && w.StartedAt == stored.StartedAt && w.Sent == stored.Sent)
                        .ExecuteUpdateAsync(u => u.SetProperty(w => w.StartedAt, window.Start).SetProperty(w => w.Sent, window.Sent), cancellationToken);
                if (written != 1) contested.Add(key);
            }
            foreach (var (heldRows, why, until, window) in holds)
            {
                if (window is { } key && contested.Contains(key)) await HoldAsync(db, claim, heldRows, MessageState.Pending, null, nowMs, cancellationToken);
                else await HoldAsync(db, claim, heldRows, MessageState.Held, why, until, cancellationToken);
            }
            foreach (var (delivery, window) in sends.Where(x => x.Window is { } key && contested.Contains(key)))
                await HoldAsync(db, claim, delivery.Rows, MessageState.Pending, null, nowMs, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        planned.AddRange(sends.Where(x => x.Window is not { } key || !contested.Contains(key)).Select(x => x.Delivery));
        return planned;
    }

    /// <summary>A recipient's rate-limit window as planned: when it opened and how many mails it sent.</summary>
    private sealed record Window(long Start, int Sent, bool Stored, bool Changed = false);

    /// <summary>What came of one delivery: null error for success.</summary>
    private sealed record Outcome(Planned Delivery, string? Error, bool Permanent);

    private static async Task<Outcome> SendAsync(Planned delivery)
    {
        try
        {
            await delivery.Send(CancellationToken.None);
            return new Outcome(delivery, null, false);
        }
        catch (DeliveryFailure failure)
        {
            return new Outcome(delivery, failure.Message, failure.Permanent);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return new Outcome(delivery, e.Message, false);
        }
    }

    /// <summary>
    /// Records outcomes as they arrive: a success is marked sent (only while the row is still this claim's), a failure
    /// is scheduled for its next attempt or ends dead. Outcomes waiting together are written in one transaction.
    /// </summary>
    private async Task RecordOutcomesAsync(string claim, System.Threading.Channels.ChannelReader<Outcome> reader)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<Outcome>();
            while (reader.TryRead(out var outcome)) batch.Add(outcome);
            var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
            await using var transaction = await db.Database.BeginTransactionAsync();
            // Single messages carried by their own delivery: one statement for all of them.
            var singles = batch.Where(o => o.Error is null && o.Delivery.Rows.Count == 1 && o.Delivery.SentAs == o.Delivery.Rows[0].DeliveryId)
                .Select(o => o.Delivery.Rows[0].Id).ToList();
            if (singles.Count > 0) await MarkSentAsync(db, claim, singles, null, nowMs);
            foreach (var outcome in batch.Where(o => o.Error is null && !(o.Delivery.Rows.Count == 1 && o.Delivery.SentAs == o.Delivery.Rows[0].DeliveryId)))
                await MarkSentAsync(db, claim, [.. outcome.Delivery.Rows.Select(r => r.Id)], outcome.Delivery.SentAs, nowMs);
            foreach (var failed in batch.Where(o => o.Error is not null)) await MarkFailedAsync(db, claim, failed, nowMs);
            await transaction.CommitAsync();
        }
    }

    private static Task MarkSentAsync(KlaxonDbContext db, string claim, List<long> ids, string? sentAs, long nowMs)
    {
        var mine = db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending);
        // A digest's rows keep their "rate limit" mark: they show that they went out in a digest.
        return sentAs is null
            ? mine.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageState.Sent).SetProperty(m => m.SentAt, nowMs).SetProperty(m => m.SentAs, m => m.DeliveryId)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LeaseUntil, (long?)null))
            : mine.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageState.Sent).SetProperty(m => m.SentAt, nowMs).SetProperty(m => m.SentAs, sentAs)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LeaseUntil, (long?)null));
    }

    private Task MarkFailedAsync(KlaxonDbContext db, string claim, Outcome outcome, long nowMs)
    {
        var rows = outcome.Delivery.Rows;
        var ids = rows.Select(r => r.Id).ToList();
        var attempts = rows.Max(r => r.Attempts) + 1;
        var dead = outcome.Permanent || attempts >= settings.Retry.MaxAttempts;
        var next = nowMs + (long)settings.Retry.Delay(attempts, Random.Shared.NextDouble()).TotalMilliseconds;
        // A digest stays held, so that it is still sent as one digest.
        var status = dead ? MessageState.Dead : rows[0].Held == MessageState.RateLimited ? MessageState.Held : MessageState.Pending;
        log.LogWarning("Delivering message(s) {Ids} failed (attempt {Attempts}{Dead}): {Error}", string.Join(", ", ids), attempts, dead ? ", now dead" : "", outcome.Error);
        return db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LastError, outcome.Error)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.LeaseUntil, (long?)null));
    }

    private static Task SettleAsync(KlaxonDbContext db, string claim, List<MessageRow> rows, string status, string reason, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.Id).ToList();
        return db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, status).SetProperty(m => m.LastError, reason).SetProperty(m => m.LeaseUntil, (long?)null), cancellationToken);
    }

    /// <summary>Sets claimed rows aside: held until <paramref name="until"/> (why: <paramref name="why"/>), or back to pending.</summary>
    private static Task HoldAsync(KlaxonDbContext db, string claim, List<MessageRow> rows, string status, string? why, long until, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.Id).ToList();
        return db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, status)
                .SetProperty(m => m.Held, m => why ?? m.Held)
                .SetProperty(m => m.NextAttemptAt, until)
                .SetProperty(m => m.LeaseUntil, (long?)null), cancellationToken);
    }
}
