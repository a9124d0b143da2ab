namespace Klaxon.Infrastructure;

/// <summary>
/// Serializes calendar writes within this process, so that checking a calendar against the catalog,
/// storing it and publishing it to the catalog happen as one step.
/// </summary>
public sealed class CalendarWriteLock
{
    private readonly SemaphoreSlim semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await semaphore.WaitAsync(cancellationToken);
        return new Release(semaphore);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) semaphore.Release();
        }
    }
}
