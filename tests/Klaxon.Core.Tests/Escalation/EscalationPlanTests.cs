using System.Text.Json;
using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;
using NodaTime;

namespace Klaxon.Core.Tests.Escalation;

public class EscalationPlanTests
{
    // Monday–Friday 09:00–17:00 UTC.
    private static readonly WorkingCalendar System = new CalendarCatalog().Get(CalendarDefinition.SystemId);

    private static readonly Tracker Bugs = new TrackerDocument
    {
        Key = "BUG",
        Name = "Bugs",
        Fields = [new CustomFieldDocument { Name = "due", Type = "datetime" }, new CustomFieldDocument { Name = "region", Type = "choice", Choices = ["EMEA", "APAC"] }],
        Workflow = new WorkflowDocument
        {
            Statuses = ["New", "Unconfirmed", "Resolved", "Closed"],
            Initial = "New",
            Transitions = [new TransitionDocument { Name = "Unconfirm", From = "New", To = "Unconfirmed", Roles = [] }],
        },
    }.ToTracker(Permissions.DefaultRoles.Keys.ToList()).Value;

    private static EscalationContext Context => new(Bugs, Permissions.DefaultRoles.Keys.ToList(), u => u is "ann" or "bob", c => c is "system", v => v == 7 ? "status == \"New\"" : null);

    private static EscalationGroup Group(string json)
    {
        var document = JsonSerializer.Deserialize<EscalationGroupDocument>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var result = document.ToGroup(Context);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Value;
    }

    private static IReadOnlyList<Diagnostic> Errors(string json)
    {
        var document = JsonSerializer.Deserialize<EscalationGroupDocument>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var result = document.ToGroup(Context);
        Assert.False(result.Success, "the group should be refused");
        return result.Diagnostics;
    }

    private static IFieldValues Item(params (string Field, object? Value)[] values) => new DictionaryFieldValues(values.ToDictionary(v => v.Field, v => v.Value));

    private static Instant Utc(int month, int day, int hour, int minute = 0) => Instant.FromUtc(2026, month, day, hour, minute);

    private static List<RuleDue> Schedule(EscalationGroup group, IFieldValues item, params Firing[] fired) =>
        group.Plan.Schedule(item, Utc(1, 1, 0), fired, _ => System);

    private const string SeedExample1 = """
        {"name":"New issues","tracker":"BUG","filter":"status in (\"New\", null)","rules":[
          {"name":"Verify","anchor":"submittedAt","limit":"(priority == 1 or priority == 2) ? 1 : 4","unit":"hours","basis":"working",
           "actions":{"transition":"Unconfirm","notify":{"roles":["Project Admin"]}}}]}
        """;

    [Theory]
    [InlineData(1, 11)]
    [InlineData(2, 11)]
    [InlineData(3, 14)]
    [InlineData(null, 14)]
    public void SeedExample1_LimitFormula_GivesOneOrFourWorkingHoursAfterSubmission(int? priority, int dueHour)
    {
        var submitted = Utc(3, 24, 10); // Tuesday 10:00
        var dues = Schedule(Group(SeedExample1), Item(("submittedAt", submitted), ("priority", (decimal?)priority), ("status", "New")));
        Assert.Equal([new RuleDue(0, Utc(3, 24, dueHour))], dues);
    }

    [Fact]
    public void WorkingHours_FromFridayAfternoon_RunIntoMonday()
    {
        var dues = Schedule(Group(SeedExample1), Item(("submittedAt", Utc(3, 27, 15)), ("priority", 3m)));
        Assert.Equal(Utc(3, 30, 11), dues.Single().Due); // 2 h on Friday, 2 h on Monday
    }

    [Fact]
    public void CalendarBasis_CountsElapsedTime()
    {
        var group = Group(SeedExample1.Replace("\"working\"", "\"calendar\""));
        Assert.Equal(Utc(3, 27, 19), Schedule(group, Item(("submittedAt", Utc(3, 27, 15)), ("priority", 3m))).Single().Due);
    }

    [Fact]
    public void NoAnchorValue_IgnoresTheRule()
    {
        var group = Group("""{"name":"Start","tracker":"BUG","filter":"assignedTo is empty","rules":[{"name":"r","anchor":"startDate","limit":"-30","unit":"minutes"}]}""");
        Assert.Empty(Schedule(group, Item(("submittedAt", Utc(3, 24, 10)))));
        Assert.Equal(Utc(3, 24, 13, 30), Schedule(group, Item(("startDate", Utc(3, 24, 14)))).Single().Due);
    }

    [Fact]
    public void NegativeLimitInWorkingTime_WalksBackOverTheWeekend()
    {
        var group = Group("""{"name":"Late","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"endDate","limit":"-estimatedHours"}]}""");
        // Monday 10:00 minus 3 working hours = Friday 15:00.
        Assert.Equal(Utc(3, 27, 15), Schedule(group, Item(("endDate", Utc(3, 30, 10)), ("estimatedHours", 3m))).Single().Due);
        // Without estimated hours the limit counts as 0: due at the end date.
        Assert.Equal(Utc(3, 30, 10), Schedule(group, Item(("endDate", Utc(3, 30, 10)))).Single().Due);
    }

    [Fact]
    public void AFiredRule_FiresAgainOnlyWhenItsDueMovesLater()
    {
        var group = Group("""{"name":"Start","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"startDate","limit":"-30","unit":"minutes","basis":"calendar"}]}""");
        var fired = new Firing(0, Utc(3, 24, 13, 30), Utc(3, 24, 13, 30));
        Assert.Empty(Schedule(group, Item(("startDate", Utc(3, 24, 14))), fired));              // same due: fired already
        Assert.Empty(Schedule(group, Item(("startDate", Utc(3, 24, 12))), fired));              // moved earlier: not again
        Assert.Equal(Utc(3, 25, 13, 30), Schedule(group, Item(("startDate", Utc(3, 25, 14))), fired).Single().Due); // later: again
    }

    private const string SeedExample6 = """
        {"name":"Open issues","tracker":"BUG","filter":"status not in (\"Resolved\", \"Closed\")","rules":[
          {"name":"Missed deadline","anchor":"endDate","limit":"8","unit":"hours","basis":"calendar","actions":{"notify":{"assignees":true,"supervisors":true,"roles":["Project Admin"]}}},
          {"name":"Every 8 hours","anchor":"afterLastEscalation","limit":"8","unit":"hours","basis":"calendar","actions":{"notify":{"assignees":true}}}]}
        """;

    [Fact]
    public void RepeatRule_IsDueItsIntervalAfterTheGroupsLatestFiring()
    {
        var group = Group(SeedExample6);
        var item = Item(("endDate", Utc(3, 24, 10)), ("status", "New"));
        Assert.Equal([new RuleDue(0, Utc(3, 24, 18))], Schedule(group, item));
        var first = new Firing(0, Utc(3, 24, 18), Utc(3, 24, 18));
        Assert.Equal([new RuleDue(1, Utc(3, 25, 2))], Schedule(group, item, first));
        var repeat = new Firing(1, Utc(3, 25, 2), Utc(3, 25, 2));
        Assert.Equal([new RuleDue(1, Utc(3, 25, 10))], Schedule(group, item, first, repeat));
    }

    [Fact]
    public void RepeatRule_AfterALateFiring_CountsFromWhenItFired_SoAMissedSpanFiresOnce()
    {
        var group = Group(SeedExample6);
        var item = Item(("endDate", Utc(3, 24, 10)));
        var late = new Firing(0, Utc(3, 24, 18), Utc(3, 26, 9)); // the service was down for a day and a half
        Assert.True(late.Late);
        Assert.Equal([new RuleDue(1, Utc(3, 26, 17))], Schedule(group, item, late));
    }

    [Fact]
    public void WorkingDays_AreWholeAndKeepTheTimeOfDay()
    {
        var group = Group("""{"name":"Days","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","limit":"3","unit":"days"}]}""");
        Assert.Equal(Utc(4, 1, 15), Schedule(group, Item(("submittedAt", Utc(3, 27, 15)))).Single().Due); // Fri + 3 working days = Wed
        var fractional = Group("""{"name":"Days","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","limit":"1.5","unit":"days"}]}""");
        var failed = Schedule(fractional, Item(("submittedAt", Utc(3, 27, 15)))).Single();
        Assert.Null(failed.Due);
        Assert.Contains("whole number", failed.Error);
    }

    [Fact]
    public void CalendarDays_KeepTheLocalTimeOfDayAcrossDst()
    {
        var berlin = WorkingCalendar.FromChain([CalendarDefinition.DefaultSystem with { TimeZone = "Europe/Berlin" }]);
        var group = Group("""{"name":"Days","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","limit":"2","unit":"days","basis":"calendar"}]}""");
        var due = group.Plan.Schedule(Item(("submittedAt", Utc(3, 28, 9))), Utc(1, 1, 0), [], _ => berlin).Single().Due;
        Assert.Equal(Utc(3, 30, 8), due); // 10:00 CET on Saturday → 10:00 CEST on Monday
    }

    [Fact]
    public void ALimitThatCannotBeComputed_IsVisibleAsAnError()
    {
        var never = WorkingCalendar.FromChain([new CalendarDefinition("never", "Never", "UTC", null, [], [])]);
        var due = Group(SeedExample1).Plan.Schedule(Item(("submittedAt", Utc(3, 24, 10))), Utc(1, 1, 0), [], _ => never).Single();
        Assert.Null(due.Due);
        Assert.Contains("no working time", due.Error);
    }

    [Fact]
    public void AView_SuppliesThePredicate()
    {
        var group = Group("""{"name":"By view","tracker":"BUG","view":7,"rules":[{"name":"r","anchor":"submittedAt"}]}""");
        Assert.Equal("status == \"New\"", group.Filter);
        Assert.True(group.Plan.Selects(Item(("status", "New")), Utc(1, 1, 0)));
        Assert.False(group.Plan.Selects(Item(("status", "Closed")), Utc(1, 1, 0)));
    }

    [Theory]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"afterLastEscalation","limit":"8"},{"name":"s","anchor":"submittedAt"}]}""", "rules[0].anchor", "must be the last rule")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"afterLastEscalation","limit":"8"}]}""", "rules[0].anchor", "cannot be a group's only rule")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"s","anchor":"submittedAt"},{"name":"r","anchor":"afterLastEscalation","limit":"30","unit":"seconds"}]}""", "rules[1].unit", "not a unit")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"s","anchor":"submittedAt"},{"name":"r","anchor":"afterLastEscalation","limit":"0.5","unit":"minutes"}]}""", "rules[1].limit", "at least 60 seconds")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"summary"}]}""", "rules[0].anchor", "not a date field")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"fields.due","limit":"(priority == 1"}]}""", "rules[0].limit", "expected ')' after '1'")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","limit":"summary"}]}""", "rules[0].limit", "must be a number")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"transition":"Teleport"}}]}""", "rules[0].actions.transition", "not a transition")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"notify":{"roles":["Wizard"]}}}]}""", "rules[0].actions.notify.roles", "not a role")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"notify":{"users":["zed"]}}}]}""", "rules[0].actions.notify.users", "no user 'zed'")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"assignTo":{"role":"Wizard"}}}]}""", "rules[0].actions.assignTo.role", "not a role")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","calendar":"mars"}]}""", "rules[0].calendar", "no calendar 'mars'")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"set":{"priority":"high"}}}]}""", "rules[0].actions.set.priority", "is not a number")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"set":{"fields.region":"MARS"}}}]}""", "rules[0].actions.set.fields.region", "not a choice")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"set":{"status":"Closed"}}}]}""", "rules[0].actions.set.status", "use a transition")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"priority +","rules":[{"name":"r","anchor":"submittedAt"}]}""", "filter", "expected a value after '+'")]
    [InlineData("""{"name":"g","tracker":"BUG","view":8,"rules":[{"name":"r","anchor":"submittedAt"}]}""", "view", "no public view 8")]
    [InlineData("""{"name":"g","tracker":"BUG","filter":"true","rules":[]}""", "rules", "at least one rule")]
    public void InvalidGroups_AreRefusedWithTheFieldAndReason(string json, string field, string message)
    {
        var errors = Errors(json);
        Assert.Contains(errors, e => e.Field == field && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void FieldUpdates_TakeConstantsOrExpressions()
    {
        var group = Group("""{"name":"g","tracker":"BUG","filter":"true","rules":[{"name":"r","anchor":"submittedAt","actions":{"set":{"priority":"=priority - 1","fields.region":"APAC","resolution":null}}}]}""");
        var set = group.Plan.Rules[0].Actions.Assignments;
        Assert.Equal(2m, set["priority"].Expression!.Evaluate(Item(("priority", 3m)), Utc(1, 1, 0)));
        Assert.Equal("APAC", set["fields.region"].Constant);
        Assert.Null(set["resolution"].Constant);
    }

    private const string VerifyThenRepeat = """
        {"name":"Nag","tracker":"BUG","filter":"true","rules":[
          {"name":"Verify","anchor":"submittedAt","limit":"2","unit":"hours","basis":"working"},
          {"name":"Again","anchor":"afterLastEscalation","limit":"1","unit":"days","basis":"calendar"}]}
        """;

    [Fact]
    public void Simulate_FiresEachRuleAtItsDue_ThenRepeatsUntilTheWindowEnds()
    {
        var group = Group(VerifyThenRepeat);
        // Submitted Friday 2026-01-02 16:00 UTC: 1 working hour on Friday, 1 on Monday → Monday 10:00; then daily.
        var item = Item(("submittedAt", Utc(1, 2, 16)));

        var firings = group.Plan.Simulate(item, Utc(1, 2, 16), Utc(1, 9, 10), [], _ => System);

        Assert.Equal(
            [(0, Utc(1, 5, 10)), (1, Utc(1, 6, 10)), (1, Utc(1, 7, 10)), (1, Utc(1, 8, 10)), (1, Utc(1, 9, 10))],
            firings.Select(f => (f.Rule, f.FiredAt)));
        Assert.All(firings, f => Assert.Equal(f.Due, f.FiredAt));
    }

    [Fact]
    public void Simulate_FiresAnOverdueRuleAtTheStart_AndRepeatsFromThatLateFiring()
    {
        var group = Group(VerifyThenRepeat);
        var item = Item(("submittedAt", Utc(1, 5, 9)));

        var firings = group.Plan.Simulate(item, Utc(1, 5, 14), Utc(1, 7, 0), [], _ => System);

        Assert.Equal([new Firing(0, Utc(1, 5, 11), Utc(1, 5, 14)), new Firing(1, Utc(1, 6, 14), Utc(1, 6, 14))], firings);
        Assert.True(firings[0].Late);
    }

    [Fact]
    public void Simulate_SkipsARuleThatAlreadyFiredForItsDue_AndStopsAtTheLimit()
    {
        var group = Group(VerifyThenRepeat);
        var item = Item(("submittedAt", Utc(1, 5, 9)));
        Firing[] fired = [new(0, Utc(1, 5, 11), Utc(1, 5, 11))];

        var firings = group.Plan.Simulate(item, Utc(1, 5, 12), Utc(2, 5, 0), fired, _ => System, maxFirings: 3);

        Assert.Equal([Utc(1, 6, 11), Utc(1, 7, 11), Utc(1, 8, 11)], firings.Select(f => f.FiredAt));
        Assert.All(firings, f => Assert.Equal(1, f.Rule));
    }
}
