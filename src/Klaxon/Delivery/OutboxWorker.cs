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
                // Sends are not cancelled by a stop: a mail that went out is marked sent.
                await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Concurrency) },
                    async (delivery, _) => await DeliverAsync(claim, delivery, CancellationToken.None));
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
                    var next = calendar.NextWorkingInstant(now).ToUnixTimeMilliseconds();
                    await HoldAsync(db, claim, messages, digest ? MessageState.RateLimited : MessageState.QuietHours, next, cancellationToken);
                    continue;
                }
            }
            var limit = first.ProjectKey is { } key && limits.TryGetValue(key, out var own2) ? own2 : settings.RateLimit;
            var itemKey = first.ItemId is { } itemId ? itemKeys.GetValueOrDefault(itemId) : null;
            if (digest)
            {
                var windowStart = Instant.FromUnixTimeMilliseconds(first.NextAttemptAt) - Duration.FromMinutes(limit.Minutes);
                var mail = new OutgoingMail(address, MessageTemplates.Digest(messages, limit, windowStart), first.DeliveryId, null);
                planned.Add(new Planned(messages, ct => MailSender.SendAsync(smtp, mail, ct), first.DeliveryId));
                continue;
            }
            if (await TakeFromWindowAsync(db, first.Recipient, first.ProjectKey ?? "", nowMs, limit, cancellationToken) is { } windowEnd)
            {
                await HoldAsync(db, claim, messages, MessageState.RateLimited, windowEnd, cancellationToken);
                continue;
            }
            var single = new OutgoingMail(address, MessageTemplates.Merged(messages), first.DeliveryId, itemKey);
            planned.Add(new Planned(messages, ct => MailSender.SendAsync(smtp, single, ct), first.DeliveryId));
        }
        return planned;
    }

    /// <summary>Counts a mail against the recipient's window; null when it may go now, else the end of the full window.</summary>
    private static async Task<long?> TakeFromWindowAsync(KlaxonDbContext db, string recipient, string project, long nowMs, RateLimit limit, CancellationToken cancellationToken)
    {
        var length = (long)limit.Minutes * 60_000;
        for (var attempt = 0; ; attempt++)
        {
            // A conditional update on what was read: a node that changed the window meanwhile makes it match nothing, and this reads again.
            var window = await db.RateWindows.AsNoTracking().SingleOrDefaultAsync(w => w.Recipient == recipient && w.ProjectKey == project, cancellationToken);
            if (window is null)
            {
                db.RateWindows.Add(new RateWindowRow { Recipient = recipient, ProjectKey = project, StartedAt = nowMs, Sent = 1 });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return null;
                }
                catch (DbUpdateException) when (attempt < 5)
                {
                    db.ChangeTracker.Clear();
                    continue;
                }
                finally
                {
                    db.ChangeTracker.Clear();
                }
            }
            var same = db.RateWindows.Where(w => w.Recipient == recipient && w.ProjectKey == project && w.StartedAt == window.StartedAt && w.Sent == window.Sent);
            if (nowMs >= window.StartedAt + length)
            {
                if (await same.ExecuteUpdateAsync(s => s.SetProperty(w => w.StartedAt, nowMs).SetProperty(w => w.Sent, 1), cancellationToken) == 1) return null;
            }
            else if (window.Sent < limit.Messages)
            {
                if (await same.ExecuteUpdateAsync(s => s.SetProperty(w => w.Sent, w => w.Sent + 1), cancellationToken) == 1) return null;
            }
            else return window.StartedAt + length;
            if (attempt >= 20) return window.StartedAt + length;
        }
    }

    private async Task DeliverAsync(string claim, Planned delivery, CancellationToken cancellationToken)
    {
        string? error = null;
        var permanent = false;
        try
        {
            await delivery.Send(cancellationToken);
        }
        catch (DeliveryFailure failure)
        {
            (error, permanent) = (failure.Message, failure.Permanent);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            error = e.Message;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var ids = delivery.Rows.Select(r => r.Id).ToList();
        var mine = db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending);
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        if (error is null)
        {
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageState.Sent)
                .SetProperty(m => m.SentAt, nowMs)
                .SetProperty(m => m.SentAs, delivery.SentAs)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.Held, (string?)null)
                .SetProperty(m => m.LeaseUntil, (long?)null), cancellationToken);
            return;
        }
        var attempts = delivery.Rows.Max(r => r.Attempts) + 1;
        var dead = permanent || attempts >= settings.Retry.MaxAttempts;
        var next = nowMs + (long)settings.Retry.Delay(attempts, Random.Shared.NextDouble()).TotalMilliseconds;
        // A digest stays held, so that it is still sent as one digest.
        var status = dead ? MessageState.Dead : delivery.Rows[0].Held == MessageState.RateLimited ? MessageState.Held : MessageState.Pending;
        log.LogWarning("Delivering message(s) {Ids} failed (attempt {Attempts}{Dead}): {Error}", string.Join(", ", ids), attempts, dead ? ", now dead" : "", error);
        await mine.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.Attempts, m => m.Attempts + 1)
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.LeaseUntil, (long?)null), cancellationToken);
    }

    private static Task SettleAsync(KlaxonDbContext db, string claim, List<MessageRow> rows, string status, string reason, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.Id).ToList();
        return db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, status).SetProperty(m => m.LastError, reason).SetProperty(m => m.LeaseUntil, (long?)null), cancellationToken);
    }

    private static Task HoldAsync(KlaxonDbContext db, string claim, List<MessageRow> rows, string why, long until, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.Id).ToList();
        return db.Messages.Where(m => ids.Contains(m.Id) && m.Claim == claim && m.Status == MessageState.Sending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageState.Held)
                .SetProperty(m => m.Held, why)
                .SetProperty(m => m.NextAttemptAt, until)
                .SetProperty(m => m.LeaseUntil, (long?)null), cancellationToken);
    }
}
