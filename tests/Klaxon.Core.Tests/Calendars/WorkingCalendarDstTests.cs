using System.Globalization;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tests.Calendars.Support;
using NodaTime;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

/// <summary>
/// Local hours on nights when the clocks change, pinned with synthetic zones of a single transition and with
/// Europe/Berlin. Local boundaries map as NodaTime's lenient resolver maps them: inside a gap, forward by the
/// gap's length; in an overlap, the earlier occurrence. Working time is real elapsed time.
/// </summary>
public sealed class WorkingCalendarDstTests
{
    // 2030-03-31 (Sunday): at 02:00 the clocks go from +00:00 to +01:00, so 02:00–03:00 does not exist.
    private static readonly SingleTransitionZone Spring = SingleTransitionZone.At("2030-03-31T02:00", 0, 1);

    // 2030-10-27 (Sunday): at 03:00 the clocks go from +01:00 back to +00:00, so 02:00–03:00 happens twice.
    private static readonly SingleTransitionZone Fall = SingleTransitionZone.At("2030-10-27T03:00", 1, 0);

    // 2030-03-31: at 00:00 the clocks go from -03:00 to -02:30, so 00:00–00:30 does not exist (a midnight gap).
    private static readonly SingleTransitionZone MidnightHalfHour = SingleTransitionZone.At("2030-03-31T00:00", -3, -2.5);

    private static DateTimeZone ZoneNamed(string name) => name switch
    {
        "spring" => Spring,
        "fall" => Fall,
        "midnight" => MidnightHalfHour,
        _ => Berlin,
    };

    private static WorkingCalendar EveryDayIn(DateTimeZone zone, string hours) =>
        WorkingCalendar.FromChain([Definition("dst", null, null, EveryDay(hours))], zone);

    private static string Short(DateTimeZone zone, Instant instant) =>
        instant.InZone(zone).ToString("MM'-'dd'T'HH':'mm o<+HH:mm>", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("spring", "01:00-04:00", "2030-03-30", "03-30T01:00 +00:00/03-30T04:00 +00:00", "3h")]
    [InlineData("spring", "01:00-04:00", "2030-03-31", "03-31T01:00 +00:00/03-31T04:00 +01:00", "2h")] // the night loses an hour
    [InlineData("spring", "01:00-04:00", "2030-04-01", "04-01T01:00 +01:00/04-01T04:00 +01:00", "3h")]
    [InlineData("spring", "02:30-05:00", "2030-03-31", "03-31T03:30 +01:00/03-31T05:00 +01:00", "1h30m")] // a start in the gap moves forward by the gap
    [InlineData("spring", "01:00-02:30", "2030-03-31", "03-31T01:00 +00:00/03-31T03:30 +01:00", "1h30m")] // so does an end
    [InlineData("spring", "01:00-02:00", "2030-03-31", "03-31T01:00 +00:00/03-31T03:00 +01:00", "1h")]
    [InlineData("spring", "02:15-02:45", "2030-03-31", "03-31T03:15 +01:00/03-31T03:45 +01:00", "30m")] // wholly inside the gap: moved as a whole, kept
    [InlineData("spring", "02:00-03:00", "2030-03-31", "", "0")] // exactly the gap: both ends land on the transition, nothing left
    [InlineData("spring", "02:30-03:15", "2030-03-31", "", "0")] // the start moves past the end: the span vanishes
    [InlineData("spring", "02:15-02:45, 03:00-04:00", "2030-03-31", "03-31T03:00 +01:00/03-31T04:00 +01:00", "1h")] // moved into the next span: counted once
    [InlineData("fall", "01:00-04:00", "2030-10-26", "10-26T01:00 +01:00/10-26T04:00 +01:00", "3h")]
    [InlineData("fall", "01:00-04:00", "2030-10-27", "10-27T01:00 +01:00/10-27T04:00 +00:00", "4h")] // the night gains an hour
    [InlineData("fall", "02:30-05:00", "2030-10-27", "10-27T02:30 +01:00/10-27T05:00 +00:00", "3h30m")] // an ambiguous start: the earlier one
    [InlineData("fall", "00:00-02:30", "2030-10-27", "10-27T00:00 +01:00/10-27T02:30 +01:00", "2h30m")] // an ambiguous end: the earlier one
    [InlineData("fall", "02:15-02:45", "2030-10-27", "10-27T02:15 +01:00/10-27T02:45 +01:00", "30m")]
    [InlineData("midnight", "00:00-01:00", "2030-03-31", "03-31T00:30 -02:30/03-31T01:00 -02:30", "30m")]
    [InlineData("midnight", "22:00-24:00", "2030-03-30", "03-30T22:00 -03:00/03-31T00:30 -02:30", "2h")] // 24:00 is the next midnight, in the gap
    [InlineData("berlin", "01:00-04:00", "2026-03-29", "03-29T01:00 +01:00/03-29T04:00 +02:00", "2h")]
    [InlineData("berlin", "02:30-05:00", "2026-03-29", "03-29T03:30 +02:00/03-29T05:00 +02:00", "1h30m")]
    [InlineData("berlin", "01:00-04:00", "2026-10-25", "10-25T01:00 +02:00/10-25T04:00 +01:00", "4h")]
    [InlineData("berlin", "02:30-05:00", "2026-10-25", "10-25T02:30 +02:00/10-25T05:00 +01:00", "3h30m")]
    [InlineData("berlin", "00:00-24:00", "2026-03-29", "03-29T00:00 +01:00/03-30T00:00 +02:00", "23h")]
    [InlineData("berlin", "00:00-24:00", "2026-10-25", "10-25T00:00 +02:00/10-26T00:00 +01:00", "25h")]
    public void WorkingIntervals_DayOfATransition_HoldsRealElapsedTime(string zoneName, string hours, string date, string expected, string total)
    {
        var zone = ZoneNamed(zoneName);
        var calendar = EveryDayIn(zone, hours);
        var from = zone.AtStartOfDay(Date(date)).ToInstant();
        var to = zone.AtStartOfDay(Date(date).PlusDays(1)).ToInstant();

        var intervals = calendar.WorkingIntervals(from, to);

        Assert.Equal(expected, string.Join(" ", intervals.Select(i => $"{Short(zone, i.Start)}/{Short(zone, i.End)}")));
        Assert.Equal(Span(total), calendar.Between(from, to));
        Assert.Equal(Hours(hours), calendar.Day(Date(date)).Hours); // the local hours stay as written
    }

    [Theory]
    [InlineData("1h", "2030-03-31T01:00", 0, "2030-03-31T03:00", 1)]
    [InlineData("1h30m", "2030-03-31T01:00", 0, "2030-03-31T03:30", 1)]
    [InlineData("2h", "2030-03-31T01:00", 0, "2030-03-31T04:00", 1)] // the end of the shortened night
    [InlineData("2h1s", "2030-03-31T01:00", 0, "2030-04-01T01:00:01", 1)]
    [InlineData("-2h", "2030-03-31T04:00", 1, "2030-03-31T01:00", 0)]
    [InlineData("-2h1s", "2030-03-31T04:00", 1, "2030-03-30T03:59:59", 0)]
    public void Add_AcrossSpringForward_CountsRealElapsedTime(string duration, string start, double startOffset, string expected, double expectedOffset)
    {
        var calendar = EveryDayIn(Spring, "01:00-04:00");

        Assert.Equal(AtOffset(expected, expectedOffset), calendar.Add(AtOffset(start, startOffset), Span(duration)));
    }

    [Fact]
    public void Add_AcrossFallBack_CountsBothOccurrencesOfTheRepeatedHour()
    {
        var calendar = EveryDayIn(Fall, "01:00-04:00");

        Assert.Equal(AtOffset("2030-10-27T02:30", 1), calendar.Add(AtOffset("2030-10-27T01:00", 1), Span("1h30m")));
        Assert.Equal(AtOffset("2030-10-27T02:30", 0), calendar.Add(AtOffset("2030-10-27T01:00", 1), Span("2h30m")));
        Assert.Equal(AtOffset("2030-10-27T04:00", 0), calendar.Add(AtOffset("2030-10-27T01:00", 1), Span("4h")));
    }

    [Fact]
    public void IsWorking_SpanEndingAtAnAmbiguousTime_EndsAtTheFirstOccurrence()
    {
        var calendar = EveryDayIn(Fall, "00:00-02:30");

        Assert.True(calendar.IsWorking(AtOffset("2030-10-27T02:15", 1)));
        Assert.False(calendar.IsWorking(AtOffset("2030-10-27T02:15", 0))); // the same wall time an hour later
        Assert.False(calendar.IsWorking(AtOffset("2030-10-27T02:30", 1)));
    }

    [Fact]
    public void NextWorkingInstant_SpanStartingInAGap_IsTheShiftedStart()
    {
        var calendar = EveryDayIn(Spring, "02:30-05:00");

        Assert.Equal(AtOffset("2030-03-31T03:30", 1), calendar.NextWorkingInstant(AtOffset("2030-03-31T00:00", 0)));
        Assert.False(calendar.IsWorking(AtOffset("2030-03-31T03:29:59", 1)));
    }

    [Fact]
    public void AddWorkingDays_VanishedDay_IsNotAWorkingDate()
    {
        // 02:30-03:15 vanishes on the night of the transition: that date has no working time at all.
        var calendar = EveryDayIn(Spring, "02:30-03:15");

        Assert.Equal(AtOffset("2030-04-01T03:00", 1), calendar.AddWorkingDays(AtOffset("2030-03-30T03:00", 0), 1));
        Assert.Equal(AtOffset("2030-03-30T03:00", 0), calendar.AddWorkingDays(AtOffset("2030-04-01T03:00", 1), -1));
        Assert.Equal(AtOffset("2030-04-01T02:45", 1), calendar.Add(AtOffset("2030-03-30T03:00", 0), Span("30m")));
        Assert.Equal(DayRule.Weekly, calendar.Day(Date("2030-03-31")).Rule);
    }

    [Fact]
    public void AddWorkingDays_TimeOfDayInAGapOrOverlap_ResolvesLeniently()
    {
        Assert.Equal(AtOffset("2030-03-31T03:30", 1), EveryDayIn(Spring, "01:00-04:00").AddWorkingDays(AtOffset("2030-03-30T02:30", 0), 1));
        Assert.Equal(AtOffset("2030-10-27T02:30", 1), EveryDayIn(Fall, "01:00-04:00").AddWorkingDays(AtOffset("2030-10-26T02:30", 1), 1));
        // The day of a spring transition ends at 04:00 +01:00 = 03:00Z; 03:45 +01:00 is still before that.
        Assert.Equal(AtOffset("2030-03-31T03:45", 1), EveryDayIn(Spring, "01:00-04:00").AddWorkingDays(AtOffset("2030-03-30T03:45", 0), 1));
    }

    [Theory]
    [InlineData("2026-03-27T16:00", "2h", "2026-03-30T10:00")]
    [InlineData("2026-03-30T10:00", "-2h", "2026-03-27T16:00")]
    [InlineData("2026-10-23T16:00", "2h", "2026-10-26T10:00")]
    [InlineData("2026-10-26T10:00", "-2h", "2026-10-23T16:00")]
    public void Add_OfficeHoursOverATransitionWeekend_AreUnaffected(string start, string duration, string expected)
    {
        var calendar = WorkingCalendar.FromChain([Definition("office", "Europe/Berlin", null, Weekdays("09:00-17:00"))]);

        Assert.Equal(expected, ShowLocal(Berlin, calendar.Add(InBerlin(start), Span(duration))));
        Assert.Equal(Duration.FromHours(16), calendar.Between(InBerlin("2026-03-27T09:00"), InBerlin("2026-03-30T17:00")));
    }
}
