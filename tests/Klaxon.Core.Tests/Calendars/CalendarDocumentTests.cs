using Klaxon.Core.Calendars;
using Klaxon.Core.Tests.Calendars.Support;
using NodaTime;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

public sealed class CalendarDocumentTests
{
    /// <summary>The seed's project calendar as a person writes it.</summary>
    private static CalendarDocument Valid() => new()
    {
        Id = "project",
        Name = "Project",
        TimeZone = "Europe/Berlin",
        Parent = "system",
        WeeklyHours =
        [
            new() { Weekday = "Monday", Hours = "09:00-12:00, 13:00-17:00" },
            new() { Weekday = "Saturday", Hours = "09:00-12:00", ValidFrom = "2009-07-01", ValidUntil = "2009-12-31" },
        ],
        SpecialDays =
        [
            new() { Name = "New year", Yearly = "01-01", Kind = "holiday" },
            new() { Name = "Christmas Eve", Yearly = "12-24", Kind = "shortened", Hours = "09:00-13:00" },
            new() { Name = "Midsummer Madness Sale", Date = "2009-08-02", Kind = "workday", Hours = "10:00-16:00" },
            new() { Name = "German Unity Day", Yearly = "06-17", FromYear = 1954, UntilYear = 1990, Kind = "holiday" },
        ],
    };

    private static CalendarDocument WithWeekly(int index, Func<WeeklyHoursDocument, WeeklyHoursDocument> change)
    {
        var document = Valid();
        document.WeeklyHours![index] = change(document.WeeklyHours[index]);
        return document;
    }

    private static CalendarDocument WithSpecial(int index, Func<SpecialDayDocument, SpecialDayDocument> change)
    {
        var document = Valid();
        document.SpecialDays![index] = change(document.SpecialDays[index]);
        return document;
    }

    private static CalendarDocument Invalid(string what) => what switch
    {
        "unknown time zone" => Valid() with { TimeZone = "Mars/Olympus_Mons" },
        "no zone and no parent" => Valid() with { TimeZone = null, Parent = null },
        "blank parent" => Valid() with { Parent = " " },
        "missing id" => Valid() with { Id = null },
        "id with a space" => Valid() with { Id = "my project" },
        "missing name" => Valid() with { Name = " " },
        "hours that do not parse" => WithWeekly(0, w => w with { Hours = "9-17" }),
        "hours past 24:00" => WithWeekly(0, w => w with { Hours = "09:00-24:30" }),
        "minute 60" => WithWeekly(0, w => w with { Hours = "09:60-17:00" }),
        "24:00 as a start" => WithWeekly(0, w => w with { Hours = "24:00-24:00" }),
        "end before start" => WithWeekly(0, w => w with { Hours = "17:00-09:00" }),
        "end equal to start" => WithWeekly(0, w => w with { Hours = "09:00-09:00" }),
        "overlapping intervals" => WithWeekly(0, w => w with { Hours = "09:00-12:00, 11:00-13:00" }),
        "missing hours" => WithWeekly(0, w => w with { Hours = null }),
        "missing weekday" => WithWeekly(0, w => w with { Weekday = null }),
        "unknown weekday" => WithWeekly(0, w => w with { Weekday = "Funday" }),
        "validFrom that does not exist" => WithWeekly(1, w => w with { ValidFrom = "2009-02-30" }),
        "validUntil before validFrom" => WithWeekly(1, w => w with { ValidUntil = "2009-06-30" }),
        "date that does not exist" => WithSpecial(2, s => s with { Date = "2026-02-30" }),
        "yearly 02-30" => WithSpecial(0, s => s with { Yearly = "02-30" }),
        "yearly 13-01" => WithSpecial(0, s => s with { Yearly = "13-01" }),
        "yearly 1-1" => WithSpecial(0, s => s with { Yearly = "1-1" }),
        "fromYear after untilYear" => WithSpecial(3, s => s with { FromYear = 1991, UntilYear = 1990 }),
        "fromYear 0" => WithSpecial(3, s => s with { FromYear = 0 }),
        "years on an exact date" => WithSpecial(2, s => s with { FromYear = 2009 }),
        "date and yearly" => WithSpecial(0, s => s with { Date = "2026-01-01" }),
        "neither date nor yearly" => WithSpecial(0, s => s with { Yearly = null }),
        "missing special name" => WithSpecial(0, s => s with { Name = "" }),
        "missing kind" => WithSpecial(0, s => s with { Kind = null }),
        "unknown kind" => WithSpecial(0, s => s with { Kind = "vacation" }),
        "numeric kind" => WithSpecial(0, s => s with { Kind = "2" }),
        "two kinds at once" => WithSpecial(0, s => s with { Kind = "holiday, workday", Hours = "09:00-10:00" }),
        "holiday with hours" => WithSpecial(0, s => s with { Hours = "09:00-12:00" }),
        "workday without hours" => WithSpecial(2, s => s with { Hours = "" }),
        "shortened hours that do not parse" => WithSpecial(1, s => s with { Hours = "9:00-13:00" }),
        "duplicate weekly entry" => Valid() with { WeeklyHours = [.. Valid().WeeklyHours!, new() { Weekday = "mon", Hours = "" }] },
        "duplicate exact date" => Valid() with { SpecialDays = [.. Valid().SpecialDays!, new() { Name = "Sale again", Date = "2009-08-02", Kind = "holiday" }] },
        "duplicate yearly date" => Valid() with { SpecialDays = [.. Valid().SpecialDays!, new() { Name = "New year again", Yearly = "01-01", Kind = "holiday", FromYear = 2030 }] },
        "overlapping year ranges" => Valid() with { SpecialDays = [.. Valid().SpecialDays!, new() { Name = "Unity again", Yearly = "06-17", Kind = "holiday", FromYear = 1990, UntilYear = 1995 }] },
        _ => throw new ArgumentException(what),
    };

    [Theory]
    [InlineData("unknown time zone", "timeZone")]
    [InlineData("no zone and no parent", "timeZone")]
    [InlineData("blank parent", "parent")]
    [InlineData("missing id", "id")]
    [InlineData("id with a space", "id")]
    [InlineData("missing name", "name")]
    [InlineData("hours that do not parse", "weeklyHours[0].hours")]
    [InlineData("hours past 24:00", "weeklyHours[0].hours")]
    [InlineData("minute 60", "weeklyHours[0].hours")]
    [InlineData("24:00 as a start", "weeklyHours[0].hours")]
    [InlineData("end before start", "weeklyHours[0].hours")]
    [InlineData("end equal to start", "weeklyHours[0].hours")]
    [InlineData("overlapping intervals", "weeklyHours[0].hours")]
    [InlineData("missing hours", "weeklyHours[0].hours")]
    [InlineData("missing weekday", "weeklyHours[0].weekday")]
    [InlineData("unknown weekday", "weeklyHours[0].weekday")]
    [InlineData("validFrom that does not exist", "weeklyHours[1].validFrom")]
    [InlineData("validUntil before validFrom", "weeklyHours[1].validUntil")]
    [InlineData("date that does not exist", "specialDays[2].date")]
    [InlineData("yearly 02-30", "specialDays[0].yearly")]
    [InlineData("yearly 13-01", "specialDays[0].yearly")]
    [InlineData("yearly 1-1", "specialDays[0].yearly")]
    [InlineData("fromYear after untilYear", "specialDays[3].fromYear")]
    [InlineData("fromYear 0", "specialDays[3].fromYear")]
    [InlineData("years on an exact date", "specialDays[2].fromYear")]
    [InlineData("date and yearly", "specialDays[0]")]
    [InlineData("neither date nor yearly", "specialDays[0]")]
    [InlineData("missing special name", "specialDays[0].name")]
    [InlineData("missing kind", "specialDays[0].kind")]
    [InlineData("unknown kind", "specialDays[0].kind")]
    [InlineData("numeric kind", "specialDays[0].kind")]
    [InlineData("two kinds at once", "specialDays[0].kind")]
    [InlineData("holiday with hours", "specialDays[0].hours")]
    [InlineData("workday without hours", "specialDays[2].hours")]
    [InlineData("shortened hours that do not parse", "specialDays[1].hours")]
    [InlineData("duplicate weekly entry", "weeklyHours[2]")]
    [InlineData("duplicate exact date", "specialDays[4]")]
    [InlineData("duplicate yearly date", "specialDays[4]")]
    [InlineData("overlapping year ranges", "specialDays[4]")]
    public void ToDefinition_OneWrongField_ReturnsOneDiagnosticNamingIt(string what, string field)
    {
        var result = Invalid(what).ToDefinition();

        Assert.False(result.Success);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(field, diagnostic.Field);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Theory]
    [InlineData("unknown time zone", "Mars/Olympus_Mons")]
    [InlineData("hours that do not parse", "9-17")]
    [InlineData("date that does not exist", "2026-02-30")]
    [InlineData("yearly 02-30", "02-30")]
    [InlineData("unknown kind", "vacation")]
    [InlineData("unknown weekday", "Funday")]
    public void ToDefinition_WrongValue_QuotesItInTheMessage(string what, string value)
    {
        Assert.Contains(value, Invalid(what).ToDefinition().Diagnostics.Single().Message);
    }

    [Fact]
    public void ToDefinition_SeveralWrongFields_ReportsEachOfThem()
    {
        var document = Valid() with
        {
            TimeZone = "Nowhere/Special",
            WeeklyHours = [new() { Weekday = "Monday", Hours = "17:00-09:00" }, new() { Weekday = "Someday", Hours = "09:00-10:00" }],
            SpecialDays = [new() { Name = "Leap", Yearly = "02-30", Kind = "holiday" }],
        };

        var fields = document.ToDefinition().Diagnostics.Select(d => d.Field).ToList();

        Assert.Equal(["timeZone", "weeklyHours[0].hours", "weeklyHours[1].weekday", "specialDays[0].yearly"], fields);
    }

    [Fact]
    public void ToDefinition_ValidDocument_ReadsEveryField()
    {
        var definition = Valid().ToDefinition().Value;

        Assert.Equal(("project", "Project", "Europe/Berlin", "system"), (definition.Id, definition.Name, definition.TimeZone, definition.Parent));
        Assert.Equal(
            [
                Weekly(IsoDayOfWeek.Monday, "09:00-12:00, 13:00-17:00"),
                Weekly(IsoDayOfWeek.Saturday, "09:00-12:00", "2009-07-01", "2009-12-31"),
            ],
            definition.WeeklyHours);
        Assert.Equal(
            [
                Yearly("New year", SpecialDayKind.Holiday, "01-01"),
                Yearly("Christmas Eve", SpecialDayKind.Shortened, "12-24", "09:00-13:00"),
                Exact("Midsummer Madness Sale", SpecialDayKind.Workday, "2009-08-02", "10:00-16:00"),
                Yearly("German Unity Day", SpecialDayKind.Holiday, "06-17", from: 1954, until: 1990),
            ],
            definition.SpecialDays);
    }

    [Theory]
    [InlineData("mon", IsoDayOfWeek.Monday)]
    [InlineData("SUNDAY", IsoDayOfWeek.Sunday)]
    [InlineData(" Wed ", IsoDayOfWeek.Wednesday)]
    public void ToDefinition_WeekdayInAnotherSpelling_IsAccepted(string weekday, IsoDayOfWeek expected)
    {
        Assert.Equal(expected, WithWeekly(0, w => w with { Weekday = weekday }).ToDefinition().Value.WeeklyHours[0].Weekday);
    }

    [Fact]
    public void ToDefinition_YearlyFeb29AndDisjointYearRanges_AreAccepted()
    {
        var document = Valid() with
        {
            SpecialDays =
            [
                new() { Name = "Leap day", Yearly = "02-29", Kind = "holiday" },
                new() { Name = "Unity", Yearly = "06-17", Kind = "holiday", FromYear = 1954, UntilYear = 1990 },
                new() { Name = "Unity later", Yearly = "06-17", Kind = "shortened", Hours = "09:00-12:00", FromYear = 1991 },
                new() { Name = "Exact on the same day", Date = "1980-06-17", Kind = "workday", Hours = "09:00-10:00" },
            ],
        };

        Assert.True(document.ToDefinition().Success, string.Join("; ", document.ToDefinition().Diagnostics));
    }

    [Fact]
    public void ToDefinition_IdFromRoute_FillsAMissingIdAndRefusesAnother()
    {
        Assert.Equal("from-route", (Valid() with { Id = null }).ToDefinition("from-route").Value.Id);
        Assert.Equal("project", Valid().ToDefinition("project").Value.Id);
        Assert.Equal("id", Assert.Single(Valid().ToDefinition("other").Diagnostics).Field);
    }

    public static TheoryData<string> KnownDefinitions => new() { "default system", "seed system", "seed project", "holidays", "seconds and 24:00" };

    private static CalendarDefinition Known(string name) => name switch
    {
        "default system" => CalendarDefinition.DefaultSystem,
        "seed system" => SeedExamplesTests.System,
        "seed project" => SeedExamplesTests.Project,
        "holidays" => Definition("holidays", "Asia/Kolkata", null, [Weekly(IsoDayOfWeek.Friday, "", "2026-01-01", "2026-12-31")],
            [Yearly("leap", SpecialDayKind.Workday, "02-29", "10:00-11:00", 2000, 2100), Exact("short", SpecialDayKind.Shortened, "2026-03-02", "09:00-10:00")]),
        _ => Definition("odd", "UTC", null, [Weekly(IsoDayOfWeek.Sunday, "00:00-00:00:01, 10:00:07-12:00, 23:59:59-24:00")]),
    };

    [Theory]
    [MemberData(nameof(KnownDefinitions))]
    public void From_ThenToDefinition_GivesTheSameDefinition(string name)
    {
        var definition = Known(name);

        AssertSameDefinition(definition, CalendarDocument.From(definition).ToDefinition().Value);
    }

    [Fact]
    public void From_ThenToDefinition_GivesTheSameDefinitionForRandomCalendars()
    {
        var rng = new Random(4711);
        for (var i = 0; i < 300; i++)
        {
            foreach (var definition in RandomCalendars.Chain(rng, rng.Next(2000, 2040)))
            {
                var result = CalendarDocument.From(definition).ToDefinition();
                Assert.True(result.Success, $"#{i}: {string.Join("; ", result.Diagnostics)}{Environment.NewLine}{Describe([definition])}");
                AssertSameDefinition(definition, result.Value);
            }
        }
    }

    [Fact]
    public void From_Holiday_WritesNoHours()
    {
        var document = CalendarDocument.From(SeedExamplesTests.Project);

        Assert.Null(document.SpecialDays![0].Hours);
        Assert.Equal("holiday", document.SpecialDays[0].Kind);
        Assert.Equal("01-01", document.SpecialDays[0].Yearly);
        Assert.Equal("Saturday", document.WeeklyHours![0].Weekday);
        Assert.Equal("2009-07-01", document.WeeklyHours[0].ValidFrom);
    }
}
