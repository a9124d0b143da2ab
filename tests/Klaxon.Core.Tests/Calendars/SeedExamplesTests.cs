using Klaxon.Core.Calendars;
using Klaxon.Core.Tests.Calendars.Support;
using NodaTime;
using static Klaxon.Core.Calendars.SpecialDayKind;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

/// <summary>
/// The examples of the seed's "Working Time Calendars" section, as a system → project chain: the system
/// calendar holds Monday–Friday 09:00–17:00 in Europe/Berlin, the project calendar holds the deviations.
/// </summary>
public sealed class SeedExamplesTests
{
    internal static readonly CalendarDefinition System = Definition("system", "Europe/Berlin", null, Weekdays("09:00-17:00"));

    internal static readonly CalendarDefinition Project = Definition("project", null, "system",
        [Weekly(IsoDayOfWeek.Saturday, "09:00-12:00", "2009-07-01", "2009-12-31")],
        [
            Yearly("New year", Holiday, "01-01"),
            Yearly("Christmas Eve", Shortened, "12-24", "09:00-13:00"),
            Yearly("New Years Eve", Shortened, "12-31", "09:00-13:00"),
            Yearly("German Unity Day", Holiday, "06-17", from: 1954, until: 1990),
            Yearly("German Unity Day", Holiday, "10-03", from: 1991),
            Exact("Midsummer Madness Sale", Workday, "2009-08-02", "10:00-16:00"),
        ]);

    // The opposite split: the holidays are company-wide (system), the project keeps its own Saturdays,
    // short days and sale; the company is also closed on 2027-12-24.
    private static readonly CalendarDefinition SystemWithHolidays = Definition("system", "Europe/Berlin", null, Weekdays("09:00-17:00"),
        [
            Yearly("New year", Holiday, "01-01"),
            Yearly("German Unity Day", Holiday, "06-17", from: 1954, until: 1990),
            Yearly("German Unity Day", Holiday, "10-03", from: 1991),
            Exact("Company closure", Holiday, "2027-12-24"),
        ]);

    private static readonly CalendarDefinition ProjectOnHolidays = Definition("project", null, "system",
        [Weekly(IsoDayOfWeek.Saturday, "09:00-12:00", "2009-07-01", "2009-12-31")],
        [
            Yearly("Christmas Eve", Shortened, "12-24", "09:00-13:00"),
            Yearly("New Years Eve", Shortened, "12-31", "09:00-13:00"),
            Exact("Midsummer Madness Sale", Workday, "2009-08-02", "10:00-16:00"),
        ]);

    private static readonly WorkingCalendar Calendar = WorkingCalendar.FromChain([Project, System]);
    private static readonly WorkingCalendar SplitCalendar = WorkingCalendar.FromChain([ProjectOnHolidays, SystemWithHolidays]);

    [Theory]
    // Saturdays 09:00-12:00 from 2009-07-01 until 2009-12-31 (the project's weekly entry).
    [InlineData("2009-06-27", IsoDayOfWeek.Saturday, "", DayRule.Weekly, null, null)]
    [InlineData("2009-07-04", IsoDayOfWeek.Saturday, "09:00-12:00", DayRule.Weekly, "project", null)]
    [InlineData("2009-12-26", IsoDayOfWeek.Saturday, "09:00-12:00", DayRule.Weekly, "project", null)]
    [InlineData("2010-01-02", IsoDayOfWeek.Saturday, "", DayRule.Weekly, null, null)]
    [InlineData("2009-07-03", IsoDayOfWeek.Friday, "09:00-17:00", DayRule.Weekly, "system", null)]
    // New year, every year.
    [InlineData("2010-01-01", IsoDayOfWeek.Friday, "", DayRule.Holiday, "project", "New year")]
    [InlineData("2026-01-01", IsoDayOfWeek.Thursday, "", DayRule.Holiday, "project", "New year")]
    [InlineData("1960-01-01", IsoDayOfWeek.Friday, "", DayRule.Holiday, "project", "New year")]
    // Dec 24 and Dec 31: 09:00-13:00 where they would be workdays, otherwise still no work.
    [InlineData("2026-12-24", IsoDayOfWeek.Thursday, "09:00-13:00", DayRule.Shortened, "project", "Christmas Eve")]
    [InlineData("2026-12-31", IsoDayOfWeek.Thursday, "09:00-13:00", DayRule.Shortened, "project", "New Years Eve")]
    [InlineData("2009-12-24", IsoDayOfWeek.Thursday, "09:00-13:00", DayRule.Shortened, "project", "Christmas Eve")]
    [InlineData("2022-12-24", IsoDayOfWeek.Saturday, "", DayRule.Shortened, "project", "Christmas Eve")]
    [InlineData("2022-12-31", IsoDayOfWeek.Saturday, "", DayRule.Shortened, "project", "New Years Eve")]
    [InlineData("2026-12-23", IsoDayOfWeek.Wednesday, "09:00-17:00", DayRule.Weekly, "system", null)]
    // June 17 from 1954 until 1990, Oct 3 from 1991.
    [InlineData("1953-06-17", IsoDayOfWeek.Wednesday, "09:00-17:00", DayRule.Weekly, "system", null)]
    [InlineData("1954-06-17", IsoDayOfWeek.Thursday, "", DayRule.Holiday, "project", "German Unity Day")]
    [InlineData("1986-06-17", IsoDayOfWeek.Tuesday, "", DayRule.Holiday, "project", "German Unity Day")]
    [InlineData("1991-06-17", IsoDayOfWeek.Monday, "09:00-17:00", DayRule.Weekly, "system", null)]
    [InlineData("1990-10-03", IsoDayOfWeek.Wednesday, "09:00-17:00", DayRule.Weekly, "system", null)]
    [InlineData("1991-10-03", IsoDayOfWeek.Thursday, "", DayRule.Holiday, "project", "German Unity Day")]
    // Sunday 2009-08-02, an exceptional workday 10:00-16:00; the next Sunday is an ordinary one.
    [InlineData("2009-08-02", IsoDayOfWeek.Sunday, "10:00-16:00", DayRule.Workday, "project", "Midsummer Madness Sale")]
    [InlineData("2009-08-09", IsoDayOfWeek.Sunday, "", DayRule.Weekly, null, null)]
    public void Day_SeedExample_HasTheSeedsHoursRuleAndCalendar(string date, IsoDayOfWeek weekday, string hours, DayRule rule, string? calendarId, string? name)
    {
        var day = Calendar.Day(Date(date));

        Assert.Equal(weekday, Date(date).DayOfWeek);
        Assert.Equal(Hours(hours), day.Hours);
        Assert.Equal(rule, day.Rule);
        Assert.Equal(calendarId, day.CalendarId);
        Assert.Equal(name, day.Name);
        Assert.Equal(Date(date), day.Date);
    }

    [Theory]
    [InlineData("2009-07-04T09:00", true)]
    [InlineData("2009-07-04T11:59:59", true)]
    [InlineData("2009-07-04T12:00", false)]
    [InlineData("2009-06-27T10:00", false)]
    [InlineData("2010-01-02T10:00", false)]
    [InlineData("2010-01-01T10:00", false)]
    [InlineData("2026-12-24T12:59:59", true)]
    [InlineData("2026-12-24T13:00", false)]
    [InlineData("2022-12-24T10:00", false)]
    [InlineData("1986-06-17T10:00", false)]
    [InlineData("1991-06-17T10:00", true)]
    [InlineData("1990-10-03T10:00", true)]
    [InlineData("1991-10-03T10:00", false)]
    [InlineData("2009-08-02T09:59:59", false)]
    [InlineData("2009-08-02T10:00", true)]
    [InlineData("2009-08-02T15:59:59", true)]
    [InlineData("2009-08-02T16:00", false)]
    public void IsWorking_SeedExampleInstant_FollowsTheDeviations(string local, bool expected)
    {
        Assert.Equal(expected, Calendar.IsWorking(InBerlin(local)));
        Assert.Equal(expected, SplitCalendar.IsWorking(InBerlin(local)));
    }

    [Theory]
    [InlineData("2009-07-03T16:00", "2h", "2009-07-04T10:00")] // Friday into a working Saturday
    [InlineData("2009-06-26T16:00", "2h", "2009-06-29T10:00")] // Saturday 2009-06-27 is before the Saturdays start
    [InlineData("2009-08-01T11:00", "2h", "2009-08-02T11:00")] // Saturday into the Sunday sale
    [InlineData("2009-08-02T15:00", "2h", "2009-08-03T10:00")]
    [InlineData("2009-12-31T12:00", "2h", "2010-01-04T10:00")] // short New Year's Eve, New Year, a Saturday after the range
    [InlineData("2026-12-23T16:00", "5h", "2026-12-24T13:00")] // Christmas Eve holds 4 hours and ends at 13:00
    [InlineData("2026-12-23T16:00", "6h", "2026-12-25T10:00")]
    [InlineData("2009-07-06T10:00", "-2h", "2009-07-04T11:00")] // back into a working Saturday
    [InlineData("2027-01-04T10:00", "-2h", "2026-12-31T12:00")] // back over New Year into a short day
    [InlineData("1986-06-18T10:00", "-2h", "1986-06-16T16:00")] // back over June 17
    [InlineData("1991-10-02T16:00", "2h", "1991-10-04T10:00")] // over October 3
    public void Add_AcrossSeedDeviations_CountsOnlyTheirWorkingTime(string start, string duration, string expected)
    {
        Assert.Equal(expected, ShowLocal(Berlin, Calendar.Add(InBerlin(start), Span(duration))));
        Assert.Equal(expected, ShowLocal(Berlin, SplitCalendar.Add(InBerlin(start), Span(duration))));
    }

    [Fact]
    public void Between_Saturday20090704_HoldsThreeHours()
    {
        Assert.Equal(Duration.FromHours(3), Calendar.Between(InBerlin("2009-07-04T00:00"), InBerlin("2009-07-05T00:00")));
        Assert.Equal(Duration.Zero, Calendar.Between(InBerlin("2009-06-27T00:00"), InBerlin("2009-06-28T00:00")));
    }

    [Fact]
    public void Day_SystemCalendarAlone_KeepsTheDeviationsOfTheProjectOut()
    {
        var system = WorkingCalendar.FromChain([System]);

        Assert.Equal(Hours("09:00-17:00"), system.Day(Date("2026-01-01")).Hours);
        Assert.Equal(Hours("09:00-17:00"), system.Day(Date("2026-12-24")).Hours);
        Assert.Equal(DayHours.None, system.Day(Date("2009-07-04")).Hours);
        Assert.Equal(DayHours.None, system.Day(Date("2009-08-02")).Hours);
    }

    [Theory]
    [InlineData("2026-01-01", DayRule.Holiday, "system", "New year")]
    [InlineData("1986-06-17", DayRule.Holiday, "system", "German Unity Day")]
    [InlineData("2009-07-04", DayRule.Weekly, "project", null)]
    [InlineData("2026-12-24", DayRule.Shortened, "project", "Christmas Eve")]
    public void Day_HolidaysHeldBySystem_AreMarkedAsInherited(string date, DayRule rule, string calendarId, string? name)
    {
        var day = SplitCalendar.Day(Date(date));

        Assert.Equal(rule, day.Rule);
        Assert.Equal(calendarId, day.CalendarId);
        Assert.Equal(name, day.Name);
    }

    [Fact]
    public void Day_ShortenedDayOnParentsHoliday_StaysNonWorking()
    {
        var day = SplitCalendar.Day(Date("2027-12-24"));

        Assert.Equal(IsoDayOfWeek.Friday, day.Date.DayOfWeek);
        Assert.Equal(DayHours.None, day.Hours);
        Assert.Equal(DayRule.Shortened, day.Rule);
        Assert.False(SplitCalendar.IsWorking(InBerlin("2027-12-24T10:00")));
        Assert.Equal(Hours("09:00-13:00"), Calendar.Day(Date("2027-12-24")).Hours);
    }

    [Fact]
    public void Day_BothSplits_AgreeOnEveryDateButTheCompanyClosure()
    {
        var differences = new List<string>();
        foreach (var year in new[] { 1953, 1954, 1990, 1991, 2009, 2010, 2026, 2027 })
        {
            for (var date = new LocalDate(year, 1, 1); date.Year == year; date = date.PlusDays(1))
            {
                if (!Calendar.Day(date).Hours.Equals(SplitCalendar.Day(date).Hours)) differences.Add(CalendarText.FormatDate(date));
            }
        }

        Assert.Equal(["2027-12-24"], differences);
    }
}
