using Klaxon.Core.Calendars;
using NodaTime;
using static Klaxon.Core.Calendars.SpecialDayKind;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

/// <summary>
/// The precedence of DESIGN.md on a chain of three calendars (team → division → company): own exact &gt;
/// own yearly &gt; parent's exact &gt; parent's yearly &gt; … &gt; weekly hours; weekly entries of the whole chain
/// compete by latest validFrom, a tie goes to the nearer calendar. Each date in the table pins one pair.
/// </summary>
public sealed class DayRulesTests
{
    private static readonly CalendarDefinition Company = Definition("company", "Europe/Berlin", null,
        [.. Weekdays("09:00-17:00"), Weekly(IsoDayOfWeek.Wednesday, "07:00-15:00", "2026-05-01")],
        [
            Exact("company exact workday", Workday, "2026-04-17", "06:00-07:00"),
            Exact("company exact holiday", Holiday, "2026-04-20"),
            Yearly("company yearly workday", Workday, "04-20", "06:00-07:00"),
            Yearly("company yearly holiday", Holiday, "04-21"),
        ]);

    private static readonly CalendarDefinition Division = Definition("division", null, "company",
        [Weekly(IsoDayOfWeek.Tuesday, "10:00-18:00"), Weekly(IsoDayOfWeek.Friday, "09:00-12:00", "2026-05-01")],
        [
            Exact("division exact holiday", Holiday, "2026-04-15"),
            Exact("division exact workday", Workday, "2026-04-16", "12:00-13:00"),
            Yearly("division yearly holiday", Holiday, "04-16"),
            Yearly("division yearly holiday 2", Holiday, "04-17"),
            Exact("division closure", Holiday, "2027-12-24"),
            Exact("division saturday", Workday, "2026-12-26", "09:00-17:00"),
        ]);

    private static readonly CalendarDefinition Team = Definition("team", null, "division",
        [
            Weekly(IsoDayOfWeek.Wednesday, "12:00-13:00", "2026-01-01"),
            Weekly(IsoDayOfWeek.Thursday, "", "2026-05-01", "2026-05-31"),
            Weekly(IsoDayOfWeek.Friday, "13:00-14:00", "2026-05-01"),
        ],
        [
            Exact("team exact workday", Workday, "2026-04-14", "10:00-11:00"),
            Yearly("team yearly holiday", Holiday, "04-14"),
            Yearly("team yearly workday", Workday, "04-15", "07:00-08:00"),
            Yearly("team christmas eve", Shortened, "12-24", "09:00-13:00"),
            Yearly("team boxing day", Shortened, "12-26", "10:00-11:00"),
        ]);

    private static readonly WorkingCalendar Calendar = WorkingCalendar.FromChain([Team, Division, Company]);

    [Theory]
    // Special days, pair by pair down the precedence list.
    [InlineData("2026-04-14", "10:00-11:00", DayRule.Workday, "team", "team exact workday")] // own exact > own yearly
    [InlineData("2027-04-14", "", DayRule.Holiday, "team", "team yearly holiday")] // the yearly entry where no exact one is
    [InlineData("2026-04-15", "07:00-08:00", DayRule.Workday, "team", "team yearly workday")] // own yearly > parent's exact
    [InlineData("2026-04-16", "12:00-13:00", DayRule.Workday, "division", "division exact workday")] // parent's exact > parent's yearly
    [InlineData("2026-04-17", "", DayRule.Holiday, "division", "division yearly holiday 2")] // parent's yearly > grandparent's exact
    [InlineData("2026-04-20", "", DayRule.Holiday, "company", "company exact holiday")] // grandparent's exact > grandparent's yearly
    [InlineData("2027-04-20", "06:00-07:00", DayRule.Workday, "company", "company yearly workday")]
    [InlineData("2026-04-21", "", DayRule.Holiday, "company", "company yearly holiday")] // grandparent's yearly > every weekly entry
    [InlineData("2027-04-21", "", DayRule.Holiday, "company", "company yearly holiday")]
    // Weekly entries of the whole chain: latest validFrom wins; on a tie the nearer calendar.
    [InlineData("2026-05-05", "10:00-18:00", DayRule.Weekly, "division", null)] // Tuesday: open vs open, division is nearer
    [InlineData("2025-12-31", "09:00-17:00", DayRule.Weekly, "company", null)] // Wednesday before the team's entry starts
    [InlineData("2026-04-29", "12:00-13:00", DayRule.Weekly, "team", null)] // team's 2026-01-01 beats company's open entry
    [InlineData("2026-05-06", "07:00-15:00", DayRule.Weekly, "company", null)] // company's 2026-05-01 beats team's 2026-01-01
    [InlineData("2026-05-07", "", DayRule.Weekly, "team", null)] // an entry without hours: no work
    [InlineData("2026-05-28", "", DayRule.Weekly, "team", null)]
    [InlineData("2026-06-04", "09:00-17:00", DayRule.Weekly, "company", null)] // after that entry's validUntil
    [InlineData("2026-04-24", "09:00-17:00", DayRule.Weekly, "company", null)] // Friday before both 2026-05-01 entries
    [InlineData("2026-05-08", "13:00-14:00", DayRule.Weekly, "team", null)] // 2026-05-01 vs 2026-05-01: team is nearer
    [InlineData("2026-05-09", "", DayRule.Weekly, null, null)] // Saturday: no entry at all
    // Shortened: only where the rest of the chain would work.
    [InlineData("2026-12-24", "09:00-13:00", DayRule.Shortened, "team", "team christmas eve")] // Thursday, a weekday
    [InlineData("2027-12-24", "", DayRule.Shortened, "team", "team christmas eve")] // Friday, but the division's holiday
    [InlineData("2026-12-26", "10:00-11:00", DayRule.Shortened, "team", "team boxing day")] // Saturday made a workday by the division
    [InlineData("2027-12-26", "", DayRule.Shortened, "team", "team boxing day")] // an ordinary Sunday
    public void Day_ThreeLevelChain_FollowsThePrecedence(string date, string hours, DayRule rule, string? calendarId, string? name)
    {
        var day = Calendar.Day(Date(date));

        Assert.Equal((Hours(hours), rule, calendarId, name), (day.Hours, day.Rule, day.CalendarId, day.Name));
    }

    [Theory]
    [InlineData("2026-04-14T10:30", true)]
    [InlineData("2026-04-14T09:30", false)]
    [InlineData("2026-04-17T09:30", false)]
    [InlineData("2026-04-17T06:30", false)]
    [InlineData("2026-05-07T10:00", false)]
    [InlineData("2026-05-08T13:30", true)]
    [InlineData("2026-05-08T10:00", false)]
    [InlineData("2026-12-26T10:30", true)]
    [InlineData("2026-12-26T11:00", false)]
    public void IsWorking_ThreeLevelChain_UsesTheWinningRule(string local, bool expected)
    {
        Assert.Equal(expected, Calendar.IsWorking(InBerlin(local)));
    }

    [Fact]
    public void Day_SameChainLoweredByOneLevel_LosesOnlyTheRemovedCalendarsRules()
    {
        var division = WorkingCalendar.FromChain([Division, Company]);

        Assert.Equal(DayRule.Holiday, division.Day(Date("2026-04-15")).Rule); // the team's yearly workday is gone
        Assert.Equal(Hours("09:00-17:00"), division.Day(Date("2026-05-07")).Hours); // and its empty Thursdays
        Assert.Equal(Hours("09:00-12:00"), division.Day(Date("2026-05-08")).Hours); // its Friday now wins alone
        Assert.Equal(Hours("09:00-17:00"), division.Day(Date("2026-12-24")).Hours);
    }

    [Fact]
    public void Day_EmptyEntryWithLaterValidFrom_EndsWorkOnThatWeekday()
    {
        var calendar = WorkingCalendar.FromChain([Definition("c", "UTC", null,
            [Weekly(IsoDayOfWeek.Monday, "09:00-17:00"), Weekly(IsoDayOfWeek.Monday, "", "2026-06-01")])]);

        Assert.Equal(Hours("09:00-17:00"), calendar.Day(Date("2026-05-25")).Hours);
        Assert.Equal(DayHours.None, calendar.Day(Date("2026-06-01")).Hours);
        Assert.Equal(DayHours.None, calendar.Day(Date("2036-06-02")).Hours);
    }

    [Fact]
    public void Day_YearlyFeb29_MatchesLeapYearsOnly()
    {
        var calendar = WorkingCalendar.FromChain([Definition("c", "UTC", null, EveryDay("09:00-17:00"), [Yearly("leap", Holiday, "02-29")])]);

        Assert.Equal(DayRule.Holiday, calendar.Day(Date("2028-02-29")).Rule);
        Assert.Equal(DayRule.Weekly, calendar.Day(Date("2027-02-28")).Rule);
        Assert.Equal(DayRule.Weekly, calendar.Day(Date("2027-03-01")).Rule);
    }
}
