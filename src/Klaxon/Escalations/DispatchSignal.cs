using Microsoft.EntityFrameworkCore;

namespace Klaxon.Escalations;

/// <summary>
/// Wakes the dispatcher when the schedule changes, so it never polls: in this process directly, and across
/// nodes on PostgreSQL through <c>NOTIFY klaxon_due</c> (the dispatcher of every node listens).
/// </summary>
public sealed class DispatchSignal
{
    public const string Channel = "klaxon_due";

    private readonly SemaphoreSlim signal = new(0, 1);

    /// <summary>Wakes this node's dispatcher (several wakes before it waits count as one).</summary>
    public void Wake()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>Wakes this node and, on PostgreSQL, every other node.</summary>
    public async Task WakeAllAsync(Infrastructure.KlaxonDbContext db, CancellationToken cancellationToken)
    {
        Wake();
        if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync($"NOTIFY {Channel}", cancellationToken);
    }

    /// <summary>Waits for a wake or the timeout; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}
