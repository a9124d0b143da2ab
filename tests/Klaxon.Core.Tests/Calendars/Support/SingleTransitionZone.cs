using NodaTime;
using NodaTime.TimeZones;

namespace Klaxon.Core.Tests.Calendars.Support;

/// <summary>
/// A synthetic time zone with exactly one transition, to pin DST behaviour without depending on tzdb
/// (NodaTime.Testing's zone of the same idea is not available here).
/// </summary>
internal sealed class SingleTransitionZone : DateTimeZone
{
    private readonly ZoneInterval before;
    private readonly ZoneInterval after;

    public SingleTransitionZone(Instant transition, Offset offsetBefore, Offset offsetAfter)
        : base($"Single/{offsetBefore}/{offsetAfter}/{transition}", false, Offset.Min(offsetBefore, offsetAfter), Offset.Max(offsetBefore, offsetAfter))
    {
        Transition = transition;
        before = new ZoneInterval("before", null, transition, offsetBefore, Offset.Zero);
        after = new ZoneInterval("after", transition, null, offsetAfter, Offset.Zero);
    }

    public Instant Transition { get; }

    /// <summary>
    /// A zone whose offset changes from <paramref name="hoursBefore"/> to <paramref name="hoursAfter"/> when the
    /// wall clock, still on the old offset, shows <paramref name="localTransition"/>.
    /// </summary>
    public static SingleTransitionZone At(string localTransition, double hoursBefore, double hoursAfter)
    {
        var offsetBefore = Offset.FromSeconds((int)(hoursBefore * 3600));
        return new SingleTransitionZone(Cal.Local(localTransition).WithOffset(offsetBefore).ToInstant(), offsetBefore, Offset.FromSeconds((int)(hoursAfter * 3600)));
    }

    public override ZoneInterval GetZoneInterval(Instant instant) => instant < Transition ? before : after;
}
