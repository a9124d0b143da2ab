using Klaxon.Core.Calendars;
using NodaTime;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

/// <summary>
/// Working-time arithmetic on Monday–Friday 09:00–17:00 in Europe/Berlin, exact to the second, around the
/// weeks of 2026-06-01 and 2026-06-08 (Mondays).
/// </summary>
public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Plain = WorkingCalendar.FromChain([Definition("plain", "Europe/Berlin", null, Weekdays("09:00-17:00"))]);

    // The same hours written as two adjacent spans.
    private static readonly WorkingCalendar Split = WorkingCalendar.FromChain([Definition("split", "Europe/Berlin", null, Weekdays("09:00-12:00, 12:00-17:00"))]);

    private static readonly WorkingCalendar AroundTheClock = WorkingCalendar.FromChain([Definition("24x7", "Europe/Berlin", null, EveryDay("00:00-24:00"))]);

    // Wednesday 2026-06-10 is a holiday; Christmas Eve is short.
    private static readonly WorkingCalendar WithHoliday = WorkingCalendar.FromChain([
        Definition("project", null, "system", [],
        [
            Exact("holiday", SpecialDayKind.Holiday, "2026-06-10"),
            Yearly("Christmas Eve", SpecialDayKind.Shortened, "12-24", "09:00-13:00"),
        ]),
        Definition("system", "Europe/Berlin", null, Weekdays("09:00-17:00")),
    ]);

    [Theory]
    [InlineData("2026-06-01T10:00", "0", "2026-06-01T10:00")]
    [InlineData("2026-06-06T10:00", "0", "2026-06-06T10:00")] // zero from non-working time stays put
    [InlineData("2026-06-01T10:00:07", "0", "2026-06-01T10:00:07")]
    [InlineData("2026-06-05T16:00", "1h", "2026-06-05T17:00")] // ends exactly at an interval's end: that end
    [InlineData("2026-06-05T16:00", "1h1s", "2026-06-08T09:00:01")]
    [InlineData("2026-06-05T17:00", "1s", "2026-06-08T09:00:01")]
    [InlineData("2026-06-01T10:00", "-1h", "2026-06-01T09:00")] // back to exactly a start: that start
    [InlineData("2026-06-01T10:00", "-1h1s", "2026-05-29T16:59:59")]
    [InlineData("2026-06-01T09:00", "-1s", "2026-05-29T16:59:59")]
    [InlineData("2026-06-06T12:00", "1h", "2026-06-08T10:00")] // from a Saturday: counting starts Monday 09:00
    [InlineData("2026-06-06T12:00", "-1h", "2026-06-05T16:00")]
    [InlineData("2026-06-01T08:00", "30m", "2026-06-01T09:30")]
    [InlineData("2026-06-01T08:00", "-1h", "2026-05-29T16:00")]
    [InlineData("2026-06-01T18:00", "8h", "2026-06-02T17:00")]
    [InlineData("2026-06-01T18:00", "-8h", "2026-06-01T09:00")]
    [InlineData("2026-06-01T10:00:07", "6h59m53s", "2026-06-01T17:00")]
    [InlineData("2026-06-01T10:00:07", "7h", "2026-06-02T09:00:07")]
    [InlineData("2026-06-01T10:00:07", "-1h7s", "2026-06-01T09:00")]
    [InlineData("2026-06-01T10:00:07", "-1h8s", "2026-05-29T16:59:59")]
    [InlineData("2026-06-01T09:00", "40h", "2026-06-05T17:00")]
    [InlineData("2026-06-01T09:00", "40h1s", "2026-06-08T09:00:01")]
    [InlineData("2026-06-05T17:00", "-40h", "2026-06-01T09:00")]
    [InlineData("2026-06-01T12:34:56", "100h", "2026-06-17T16:34:56")]
    [InlineData("2026-06-17T16:34:56", "-100h", "2026-06-01T12:34:56")]
    public void Add_PlainWeek_ReturnsTheInstantWhenTheWorkingTimeHasElapsed(string start, string duration, string expected)
    {
        Assert.Equal(expected, ShowLocal(Berlin, Plain.Add(InBerlin(start), Span(duration))));
        Assert.Equal(expected, ShowLocal(Berlin, Split.Add(InBerlin(start), Span(duration))));
    }

    [Fact]
    public void Add_EndsExactlyAtIntervalEnd_ReturnsThatEnd()
    {
        Assert.Equal(InBerlin("2026-06-05T17:00"), Plain.Add(InBerlin("2026-06-05T16:00"), Duration.FromHours(1)));
    }

    [Fact]
    public void Add_OneTickMore_JumpsToTheNextInterval()
    {
        Assert.Equal(InBerlin("2026-06-08T09:00").PlusTicks(1), Plain.Add(InBerlin("2026-06-05T16:00"), Duration.FromHours(1) + Duration.FromTicks(1)));
        Assert.Equal(InBerlin("2026-06-05T17:00").PlusTicks(-1), Plain.Add(InBerlin("2026-06-08T09:00"), -Duration.FromTicks(1)));
    }

    [Theory]
    [InlineData("2026-06-01T09:00", "2026-06-01T17:00", "8h")]
    [InlineData("2026-06-01T17:00", "2026-06-01T09:00", "-8h")]
    [InlineData("2026-06-05T16:00", "2026-06-08T10:00", "2h")]
    [InlineData("2026-06-08T10:00", "2026-06-05T16:00", "-2h")]
    [InlineData("2026-06-06T00:00", "2026-06-07T23:59:59", "0")]
    [InlineData("2026-06-01T10:00", "2026-06-01T10:00", "0")]
    [InlineData("2026-06-01T10:00:07", "2026-06-01T10:00:08", "1s")]
    [InlineData("2026-06-01T08:00", "2026-06-01T09:00:07", "7s")]
    [InlineData("2026-06-01T16:59:59", "2026-06-02T09:00:01", "2s")]
    [InlineData("2026-06-01T09:00", "2026-06-08T09:00", "40h")]
    [InlineData("2026-06-01T00:00", "2026-07-01T00:00", "176h")] // 22 working days in June 2026
    public void Between_PlainWeek_CountsWorkingTimeInTheHalfOpenRange(string from, string to, string expected)
    {
        Assert.Equal(Span(expected), Plain.Between(InBerlin(from), InBerlin(to)));
        Assert.Equal(Span(expected), Split.Between(InBerlin(from), InBerlin(to)));
    }

    public static TheoryData<string> Starts => new()
    {
        "2026-06-01T09:00", "2026-06-01T10:00:07", "2026-06-01T16:59:59", "2026-06-01T17:00", "2026-06-05T16:30",
        "2026-06-06T11:11:11", "2026-06-08T08:59:59",
    };

    private static readonly string[] Durations = ["1s", "59m59s", "1h", "7h", "8h", "8h1s", "40h", "123h45m6s"];

    [Theory]
    [MemberData(nameof(Starts))]
    public void Between_StartAndItsSum_IsTheDurationInBothDirections(string start)
    {
        var a = InBerlin(start);
        foreach (var text in Durations)
        {
            foreach (var d in new[] { Span(text), -Span(text) })
            {
                var b = Plain.Add(a, d);
                Assert.True(d == Plain.Between(a, b), $"Between({start}, Add({start}, {d})) = {Plain.Between(a, b)}, expected {d}");
                Assert.Equal(b < a, d < Duration.Zero);
            }
        }
    }

    [Theory]
    [InlineData("2026-06-01T09:00")] // an interval's start
    [InlineData("2026-06-01T10:00:07")]
    [InlineData("2026-06-01T16:59:59")]
    [InlineData("2026-06-05T13:14:15")]
    public void Add_ForwardThenBack_ReturnsToAnyWorkingStart(string start)
    {
        var t = InBerlin(start);
        Assert.True(Plain.IsWorking(t));
        foreach (var text in Durations)
        {
            var d = Span(text);
            Assert.True(t == Plain.Add(Plain.Add(t, d), -d), $"Add(Add({start}, {d}), -{d}) = {ShowLocal(Berlin, Plain.Add(Plain.Add(t, d), -d))}");
        }
    }

    [Theory]
    [InlineData("2026-06-01T10:00:07")]
    [InlineData("2026-06-01T16:59:59")]
    [InlineData("2026-06-05T13:14:15")]
    public void Add_BackThenForward_ReturnsToAWorkingInstantInsideAnInterval(string start)
    {
        var t = InBerlin(start);
        foreach (var text in Durations)
        {
            var d = Span(text);
            Assert.True(t == Plain.Add(Plain.Add(t, -d), d), $"Add(Add({start}, -{d}), {d}) = {ShowLocal(Berlin, Plain.Add(Plain.Add(t, -d), d))}");
        }
    }

    [Fact]
    public void Add_BackThenForwardFromAnIntervalStart_EndsAtThePreviousEnd()
    {
        // Both instants have the same position; forward sums return the earliest of them.
        var back = Plain.Add(InBerlin("2026-06-08T09:00"), Duration.FromHours(-1));

        Assert.Equal("2026-06-05T16:00", ShowLocal(Berlin, back));
        Assert.Equal("2026-06-05T17:00", ShowLocal(Berlin, Plain.Add(back, Duration.FromHours(1))));
    }

    [Theory]
    [InlineData("2026-06-01T08:59:59", false)]
    [InlineData("2026-06-01T09:00", true)] // start inclusive
    [InlineData("2026-06-01T10:00:07", true)]
    [InlineData("2026-06-01T12:00", true)] // where the split calendar's spans meet
    [InlineData("2026-06-01T16:59:59", true)]
    [InlineData("2026-06-01T17:00", false)] // end exclusive
    [InlineData("2026-06-06T10:00", false)]
    public void IsWorking_PlainWeek_IsStartInclusiveAndEndExclusive(string local, bool expected)
    {
        Assert.Equal(expected, Plain.IsWorking(InBerlin(local)));
        Assert.Equal(expected, Split.IsWorking(InBerlin(local)));
    }

    [Fact]
    public void IsWorking_OneTickAroundTheBoundaries_IsExact()
    {
        Assert.False(Plain.IsWorking(InBerlin("2026-06-01T09:00").PlusTicks(-1)));
        Assert.True(Plain.IsWorking(InBerlin("2026-06-01T17:00").PlusTicks(-1)));
    }

    [Theory]
    [InlineData("2026-06-01T10:00", "2026-06-01T10:00")]
    [InlineData("2026-06-01T10:00:07", "2026-06-01T10:00:07")]
    [InlineData("2026-06-01T09:00", "2026-06-01T09:00")]
    [InlineData("2026-06-01T08:59:59", "2026-06-01T09:00")]
    [InlineData("2026-06-01T00:00", "2026-06-01T09:00")]
    [InlineData("2026-06-01T17:00", "2026-06-02T09:00")]
    [InlineData("2026-06-05T17:00", "2026-06-08T09:00")]
    [InlineData("2026-06-06T12:00", "2026-06-08T09:00")]
    public void NextWorkingInstant_PlainWeek_IsTheInstantOrTheNextStart(string local, string expected)
    {
        Assert.Equal(expected, ShowLocal(Berlin, Plain.NextWorkingInstant(InBerlin(local))));
    }

    [Fact]
    public void NextWorkingInstant_OverAHoliday_SkipsIt()
    {
        Assert.Equal("2026-06-11T09:00", ShowLocal(Berlin, WithHoliday.NextWorkingInstant(InBerlin("2026-06-09T17:00"))));
    }

    [Theory]
    [InlineData("plain", "2026-06-01T00:00", "2026-06-02T00:00", "2026-06-01T09:00/2026-06-01T17:00")]
    [InlineData("split", "2026-06-01T00:00", "2026-06-02T00:00", "2026-06-01T09:00/2026-06-01T17:00")] // adjacent spans merge
    [InlineData("split", "2026-06-01T10:00", "2026-06-02T10:00", "2026-06-01T10:00/2026-06-01T17:00 2026-06-02T09:00/2026-06-02T10:00")]
    [InlineData("plain", "2026-06-01T10:00:07", "2026-06-01T10:00:08", "2026-06-01T10:00:07/2026-06-01T10:00:08")]
    [InlineData("plain", "2026-06-05T12:00", "2026-06-08T12:00", "2026-06-05T12:00/2026-06-05T17:00 2026-06-08T09:00/2026-06-08T12:00")]
    [InlineData("plain", "2026-06-06T00:00", "2026-06-07T00:00", "")]
    [InlineData("plain", "2026-06-01T17:00", "2026-06-02T09:00", "")] // touches both intervals, holds neither
    [InlineData("plain", "2026-06-02T10:00", "2026-06-01T10:00", "")] // to before from
    [InlineData("plain", "2026-06-01T10:00", "2026-06-01T10:00", "")]
    [InlineData("24x7", "2026-06-01T10:00", "2026-06-03T10:00", "2026-06-01T10:00/2026-06-03T10:00")] // days merge across midnight
    public void WorkingIntervals_Range_ClipsAndMerges(string calendar, string from, string to, string expected)
    {
        var c = calendar switch { "plain" => Plain, "split" => Split, _ => AroundTheClock };

        var intervals = c.WorkingIntervals(InBerlin(from), InBerlin(to));

        Assert.Equal(expected, string.Join(" ", intervals.Select(i => $"{ShowLocal(Berlin, i.Start)}/{ShowLocal(Berlin, i.End)}")));
    }

    [Theory]
    [InlineData("2026-06-08T10:00", 0, "2026-06-08T10:00")]
    [InlineData("2026-06-06T10:00", 0, "2026-06-06T10:00")] // zero from a Saturday stays put
    [InlineData("2026-06-08T10:00", 1, "2026-06-09T10:00")]
    [InlineData("2026-06-08T10:00:07", 1, "2026-06-09T10:00:07")]
    [InlineData("2026-06-09T10:00", 1, "2026-06-11T10:00")] // over the holiday
    [InlineData("2026-06-10T10:00", 1, "2026-06-11T10:00")] // from the holiday
    [InlineData("2026-06-10T10:00", -1, "2026-06-09T10:00")]
    [InlineData("2026-06-05T10:00", 1, "2026-06-08T10:00")] // over the weekend
    [InlineData("2026-06-06T10:00", 1, "2026-06-08T10:00")] // from a Saturday
    [InlineData("2026-06-07T10:00", -1, "2026-06-05T10:00")] // back from a Sunday
    [InlineData("2026-06-08T10:00", -1, "2026-06-05T10:00")]
    [InlineData("2026-06-11T10:00", -1, "2026-06-09T10:00")]
    [InlineData("2026-06-08T10:00", 5, "2026-06-16T10:00")]
    [InlineData("2026-06-16T10:00", -5, "2026-06-08T10:00")]
    [InlineData("2026-06-08T17:00", 1, "2026-06-09T17:00")]
    [InlineData("2026-06-08T18:00", 1, "2026-06-09T17:00")] // past the hours: clamped to the last working instant
    [InlineData("2026-06-08T23:59:59", -1, "2026-06-05T17:00")]
    [InlineData("2026-06-08T07:00", 1, "2026-06-09T07:00")] // before the hours: same time of day, not moved
    [InlineData("2026-12-23T15:00", 1, "2026-12-24T13:00")] // clamped to a short day's end
    [InlineData("2026-12-23T12:59:59", 1, "2026-12-24T12:59:59")]
    [InlineData("2026-12-23T15:00", 2, "2026-12-25T15:00")]
    public void AddWorkingDays_Count_LandsOnTheNthWorkingDate(string start, int days, string expected)
    {
        Assert.Equal(expected, ShowLocal(Berlin, WithHoliday.AddWorkingDays(InBerlin(start), days)));
    }

    [Fact]
    public void AddWorkingDays_FarAway_CountsEveryWorkingDate()
    {
        // 2026 has 261 weekdays; the holiday is one of them; 2026-12-31 is a Thursday.
        var start = InBerlin("2025-12-31T10:00");

        Assert.Equal("2026-12-31T10:00", ShowLocal(Berlin, WithHoliday.AddWorkingDays(start, 260)));
        Assert.Equal("2025-12-31T10:00", ShowLocal(Berlin, WithHoliday.AddWorkingDays(InBerlin("2026-12-31T10:00"), -260)));
    }
}
