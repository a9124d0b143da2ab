using Klaxon.Core.Calendars;
using NodaTime;
using static Klaxon.Core.Calendars.SpecialDayKind;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

public sealed class CalendarCatalogTests
{
    private static readonly Instant Monday = At(DateTimeZone.Utc, "2026-06-01T10:00");

    private static CalendarDefinition Child(string id, string parent, IEnumerable<WeeklyHoursEntry>? weekly = null, IEnumerable<SpecialDay>? special = null, string? zone = null) =>
        Definition(id, zone, parent, weekly, special);

    [Fact]
    public void New_WithoutDefinitions_HasTheDefaultSystemCalendar()
    {
        var catalog = new CalendarCatalog();

        var system = catalog.Get(CalendarDefinition.SystemId);

        Assert.Same(CalendarDefinition.DefaultSystem, catalog.Find("system"));
        Assert.Equal("UTC", system.Zone.Id);
        Assert.Equal(Hours("09:00-17:00"), system.Day(Date("2026-06-01")).Hours);
        Assert.Equal(DayHours.None, system.Day(Date("2026-06-06")).Hours);
        Assert.True(system.IsWorking(At(DateTimeZone.Utc, "2026-06-05T16:59:59")));
        Assert.False(system.IsWorking(At(DateTimeZone.Utc, "2026-06-05T17:00")));
        Assert.Equal(At(DateTimeZone.Utc, "2026-06-08T10:00"), system.Add(At(DateTimeZone.Utc, "2026-06-05T16:00"), Duration.FromHours(2)));
    }

    [Fact]
    public void New_WithItsOwnSystemCalendar_UsesIt()
    {
        var catalog = new CalendarCatalog([SeedExamplesTests.System]);

        Assert.Equal("Europe/Berlin", catalog.Get("system").Zone.Id);
        Assert.Single(catalog.Definitions);
    }

    [Fact]
    public void Get_CalendarWithoutZone_InheritsTheNearestAncestorsZone()
    {
        var catalog = new CalendarCatalog([SeedExamplesTests.System, Child("a", "system"), Child("b", "a", zone: "Asia/Kolkata"), Child("c", "b")]);

        Assert.Equal(("Europe/Berlin", "Asia/Kolkata", "Asia/Kolkata"), (catalog.Get("a").Zone.Id, catalog.Get("b").Zone.Id, catalog.Get("c").Zone.Id));
        Assert.Equal(["c", "b", "a", "system"], catalog.Get("c").Chain.Select(d => d.Id));
    }

    [Fact]
    public void Get_UnknownCalendar_ThrowsAndTryGetSaysNo()
    {
        var catalog = new CalendarCatalog();

        Assert.Throws<KeyNotFoundException>(() => catalog.Get("nope"));
        Assert.False(catalog.TryGet("nope", out _));
    }

    [Fact]
    public void Check_ParentThatDoesNotExist_NamesTheParent()
    {
        var diagnostic = Assert.Single(new CalendarCatalog().Check(Child("project", "nope")));

        Assert.Equal("parent", diagnostic.Field);
        Assert.Contains("nope", diagnostic.Message);
    }

    [Fact]
    public void Check_ParentsThatWouldFormACycle_AreRefused()
    {
        var catalog = new CalendarCatalog();
        catalog.Put(Child("b", "system"));
        Assert.Empty(catalog.Check(Child("a", "b")));
        catalog.Put(Child("a", "b"));

        var diagnostic = Assert.Single(catalog.Check(Child("b", "a")));

        Assert.Equal("parent", diagnostic.Field);
        Assert.Contains("cycle", diagnostic.Message);
        Assert.Contains("b → a → b", diagnostic.Message);
        Assert.Equal("system", catalog.Find("b")!.Parent); // checking stores nothing
        Assert.Equal(["a", "b", "system"], catalog.Get("a").Chain.Select(d => d.Id));
    }

    [Fact]
    public void Check_CalendarThatIsItsOwnParent_IsACycle()
    {
        Assert.Equal("parent", Assert.Single(new CalendarCatalog().Check(Child("a", "a"))).Field);
    }

    [Fact]
    public void Check_SystemCalendar_MustBeARootWithAZone()
    {
        var catalog = new CalendarCatalog();
        catalog.Put(Child("a", "system"));

        Assert.Equal("parent", Assert.Single(catalog.Check(Definition("system", "UTC", "a"))).Field);
        Assert.Equal("timeZone", Assert.Single(catalog.Check(Definition("system", null, null))).Field);
        Assert.Empty(catalog.Check(Definition("system", "Europe/Berlin", null, Weekdays("08:00-16:00"))));
    }

    [Fact]
    public void Check_ChainWithoutAnyZone_NamesTheZone()
    {
        var catalog = new CalendarCatalog();
        catalog.Put(Definition("zoneless", null, null));

        Assert.Equal("timeZone", Assert.Single(catalog.Check(Child("a", "zoneless"))).Field);
        Assert.Empty(catalog.Check(Child("a", "zoneless", zone: "UTC")));
    }

    [Fact]
    public void NeverWorks_OrdinaryCalendars_IsFalse()
    {
        var catalog = new CalendarCatalog([SeedExamplesTests.System]);

        Assert.False(catalog.NeverWorks(CalendarDefinition.DefaultSystem));
        Assert.False(catalog.NeverWorks(SeedExamplesTests.Project));
        Assert.False(catalog.NeverWorks(Child("holidays", "system", special: [Yearly("New year", Holiday, "01-01")])));
        // Only one exceptional Sunday in 2009, nothing else.
        Assert.False(catalog.NeverWorks(Definition("sale", "UTC", null, special: [Exact("sale", Workday, "2009-08-02", "10:00-16:00")])));
    }

    [Fact]
    public void NeverWorks_AllWeeklyHoursEmpty_IsTrue()
    {
        var catalog = new CalendarCatalog();

        Assert.True(catalog.NeverWorks(Definition("idle", "UTC", null, EveryDay(""))));
        Assert.True(catalog.NeverWorks(Definition("empty", "UTC", null)));
        Assert.True(catalog.NeverWorks(Child("closed", "system", Weekdays(""))));
        Assert.True(catalog.NeverWorks(Child("shortened only", "system", Weekdays(""), [Yearly("eve", Shortened, "12-24", "09:00-13:00")])));
    }

    [Fact]
    public void NeverWorks_YearlyLeapDayWorkdayEndingInACommonYear_IsFalse()
    {
        // Work only on Feb 29 up to 2002: the last one was in 2000, before the first year the rules name.
        var leapOnly = Definition("leap", "UTC", null, special: [Yearly("leap", Workday, "02-29", "10:00-11:00", until: 2002)]);

        Assert.False(new CalendarCatalog().NeverWorks(leapOnly));
        Assert.True(WorkingCalendar.FromChain([leapOnly]).IsWorking(At(DateTimeZone.Utc, "2000-02-29T10:30")));
    }

    public static TheoryData<string> Operations => new() { "Add", "Add back", "NextWorkingInstant", "AddWorkingDays", "AddWorkingDays back" };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_CalendarThatNeverWorks_ThrowsInsteadOfLooping(string operation)
    {
        var calendar = WorkingCalendar.FromChain([Definition("idle", "UTC", null, EveryDay(""))]);
        Action call = operation switch
        {
            "Add" => () => calendar.Add(Monday, Duration.FromHours(1)),
            "Add back" => () => calendar.Add(Monday, Duration.FromHours(-1)),
            "NextWorkingInstant" => () => calendar.NextWorkingInstant(Monday),
            "AddWorkingDays" => () => calendar.AddWorkingDays(Monday, 1),
            _ => () => calendar.AddWorkingDays(Monday, -1),
        };

        var task = Task.Run(() => Assert.Throws<CalendarNeverWorksException>(call));

        Assert.True(task == await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))), $"{operation} did not return on a calendar that never works");
        Assert.Equal("idle", (await task).CalendarId);
        Assert.False(calendar.IsWorking(Monday));
        Assert.Equal(Duration.Zero, calendar.Between(Monday, Monday + Duration.FromDays(400)));
        Assert.Equal(Monday, calendar.Add(Monday, Duration.Zero));
        Assert.Equal(Monday, calendar.AddWorkingDays(Monday, 0));
    }

    [Fact]
    public void Add_CalendarThatStoppedWorking_ThrowsForwardButAnswersBackward()
    {
        var calendar = WorkingCalendar.FromChain([Definition("ended", "UTC", null, [.. MondayToFriday.Select(d => Weekly(d, "09:00-17:00", until: "2020-12-31"))])]);

        Assert.Throws<CalendarNeverWorksException>(() => calendar.Add(Monday, Duration.FromHours(1)));
        Assert.Equal(At(DateTimeZone.Utc, "2020-12-31T16:00"), calendar.Add(Monday, Duration.FromHours(-1)));
    }

    [Fact]
    public void Put_ParentChanged_RebuildsItsDependentsAndKeepsTheOthers()
    {
        var catalog = new CalendarCatalog([
            SeedExamplesTests.System,
            Child("parent", "system"),
            Child("child", "parent", special: [Exact("sale", Workday, "2026-06-06", "10:00-12:00")]),
            Child("unrelated", "system"),
        ]);
        var child = catalog.Get("child");
        var unrelated = catalog.Get("unrelated");
        var monday0930 = InBerlin("2026-06-01T09:30");
        Assert.True(child.IsWorking(monday0930));
        Assert.True(unrelated.IsWorking(monday0930));
        var unrelatedBuilds = unrelated.IndexBuilds;
        Assert.True(unrelatedBuilds > 0);
        Assert.Same(child, catalog.Get("child"));

        catalog.Put(Child("parent", "system", [Weekly(IsoDayOfWeek.Monday, "10:00-12:00")]));

        var rebuilt = catalog.Get("child");
        Assert.NotSame(child, rebuilt);
        Assert.False(rebuilt.IsWorking(monday0930));
        Assert.True(rebuilt.IsWorking(InBerlin("2026-06-01T10:30")));
        Assert.Equal(InBerlin("2026-06-06T11:00"), rebuilt.Add(InBerlin("2026-06-01T11:00"), Duration.FromHours(1 + 4 * 8 + 1))); // its own sale is kept
        Assert.Same(rebuilt, catalog.Get("child"));
        Assert.Same(unrelated, catalog.Get("unrelated"));
        Assert.Equal(unrelatedBuilds, catalog.Get("unrelated").IndexBuilds);
        Assert.True(child.IsWorking(monday0930)); // an instance handed out earlier keeps answering for what it was
    }

    [Fact]
    public void Put_SystemChanged_RebuildsEveryCalendar()
    {
        var catalog = new CalendarCatalog([SeedExamplesTests.System, Child("a", "system"), Child("b", "a")]);
        var before = new[] { "system", "a", "b" }.Select(catalog.Get).ToList();

        catalog.Put(Definition("system", "Europe/Berlin", null, Weekdays("08:00-16:00")));

        var after = new[] { "system", "a", "b" }.Select(catalog.Get).ToList();
        Assert.All(before.Zip(after), pair => Assert.NotSame(pair.First, pair.Second));
        Assert.True(after[2].IsWorking(InBerlin("2026-06-01T08:30")));
        Assert.Equal(["system", "a", "b"], catalog.DependentsOf("system"));
    }

    [Fact]
    public void Put_CalendarMovedToAnotherParent_DropsDependentsOfTheOldAndTheNewTree()
    {
        var catalog = new CalendarCatalog([SeedExamplesTests.System, Child("p1", "system", Weekdays("10:00-11:00")), Child("p2", "system", Weekdays("12:00-13:00")), Child("c", "p1")]);
        Assert.True(catalog.Get("c").IsWorking(InBerlin("2026-06-01T10:30")));

        catalog.Put(Child("c", "p2"));

        Assert.False(catalog.Get("c").IsWorking(InBerlin("2026-06-01T10:30")));
        Assert.True(catalog.Get("c").IsWorking(InBerlin("2026-06-01T12:30")));
        Assert.Equal(["p1"], catalog.DependentsOf("p1"));
    }

    [Fact]
    public void Remove_Calendar_IsGoneAndItsResolvedCalendarToo()
    {
        var catalog = new CalendarCatalog([Child("leaf", "system")]);
        catalog.Get("leaf");

        catalog.Remove("leaf");

        Assert.False(catalog.TryGet("leaf", out _));
        Assert.Null(catalog.Find("leaf"));
    }

    [Fact]
    public void CheckRemove_SystemOrACalendarWithChildren_IsRefused()
    {
        var catalog = new CalendarCatalog([Child("parent", "system"), Child("child-a", "parent"), Child("child-b", "parent")]);

        Assert.Equal("id", Assert.Single(catalog.CheckRemove("system")).Field);
        var diagnostic = Assert.Single(catalog.CheckRemove("parent"));
        Assert.Equal("id", diagnostic.Field);
        Assert.Contains("'child-a', 'child-b'", diagnostic.Message);
        Assert.Empty(catalog.CheckRemove("child-a"));
    }
}
