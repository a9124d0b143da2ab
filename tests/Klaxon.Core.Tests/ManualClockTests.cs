using NodaTime;

namespace Klaxon.Core.Tests;

public sealed class ManualClockTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 5, 8, 0);

    [Fact]
    public void GetCurrentInstant_Untouched_IsTheStart()
    {
        Assert.Equal(Start, new ManualClock(Start).GetCurrentInstant());
    }

    [Fact]
    public void AdvanceTo_LaterOrSameInstant_MovesTheClock()
    {
        var clock = new ManualClock(Start);

        clock.AdvanceTo(Start + Duration.FromHours(2));
        clock.AdvanceTo(Start + Duration.FromHours(2));

        Assert.Equal(Start + Duration.FromHours(2), clock.GetCurrentInstant());
    }

    [Fact]
    public void AdvanceTo_EarlierInstant_IsRefusedAndTheClockStays()
    {
        var clock = new ManualClock(Start);

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.AdvanceTo(Start - Duration.FromTicks(1)));
        Assert.Equal(Start, clock.GetCurrentInstant());
    }
}
