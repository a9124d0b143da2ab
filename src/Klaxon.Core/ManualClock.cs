using NodaTime;

namespace Klaxon.Core;

/// <summary>
/// A clock that only moves when told to: for tests and simulations (DESIGN.md, "Test clock").
/// It never goes backwards.
/// </summary>
public sealed class ManualClock(Instant start) : IClock
{
    private long ticks = start.ToUnixTimeTicks();

    public Instant GetCurrentInstant() => Instant.FromUnixTimeTicks(Interlocked.Read(ref ticks));

    /// <summary>Moves the clock to <paramref name="to"/>; refuses to move it backwards.</summary>
    public void AdvanceTo(Instant to)
    {
        var now = GetCurrentInstant();
        if (to < now) throw new ArgumentOutOfRangeException(nameof(to), $"The clock is at {now} and cannot go back to {to}.");
        Interlocked.Exchange(ref ticks, to.ToUnixTimeTicks());
    }
}
