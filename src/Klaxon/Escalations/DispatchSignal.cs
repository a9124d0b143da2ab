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

    // When this node's dispatcher will look at the queue again on its own (Unix ms); long.MinValue while it is
    // working (or on the manual clock), when every change must wake it.
    private long plannedWake = long.MinValue;

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

    /// <summary>
    /// Wakes the dispatchers when <paramref name="due"/> comes before this node's planned wake; a later due is
    /// found then anyway. (Every node plans from the same queue, so this node's plan stands for the others'.)
    /// </summary>
    public Task WakeAllIfBeforeAsync(Infrastructure.KlaxonDbContext db, NodaTime.Instant due, CancellationToken cancellationToken) =>
        due.ToUnixTimeMilliseconds() < Volatile.Read(ref plannedWake) || Volatile.Read(ref plannedWake) == long.MinValue
            ? WakeAllAsync(db, cancellationToken)
            : Task.CompletedTask;

    /// <summary>The dispatcher is about to read the queue: from now until it sleeps, every change wakes it.</summary>
    public void Working() => Volatile.Write(ref plannedWake, long.MinValue);

    /// <summary>
    /// Waits for a wake or the timeout; true when woken. <paramref name="plannedWake"/> is when the dispatcher will
    /// look again without a wake (null: only wakes count, as on the manual clock).
    /// </summary>
    public Task<bool> WaitAsync(TimeSpan timeout, NodaTime.Instant? plannedWake, CancellationToken cancellationToken)
    {
        Volatile.Write(ref this.plannedWake, plannedWake?.ToUnixTimeMilliseconds() ?? long.MinValue);
        return signal.WaitAsync(timeout, cancellationToken);
    }
}
