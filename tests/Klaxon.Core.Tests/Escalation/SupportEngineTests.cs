using System.Text.Json;
using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;
using NodaTime;

namespace Klaxon.Core.Tests.Escalation;

/// <summary>
/// The engine parts the support template stands on: rules that apply only outside working time, message templates,
/// notify targets (on call, groups named from fields), stamped date fields and value descriptions on trackers.
/// </summary>
public class SupportEngineTests
{
    // Monday–Friday 09:00–17:00 UTC.
    private static readonly WorkingCalendar System = new CalendarCatalog().Get(CalendarDefinition.SystemId);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static ParseResult<Tracker> ReadTracker(string json) =>
        JsonSerializer.Deserialize<TrackerDocument>(json, Web)!.ToTracker(Permissions.DefaultRoles.Keys.ToList());

    private static readonly Tracker Incidents = ReadTracker("""
        {"key":"INC","name":"Incident",
         "fields":[{"name":"product","type":"choice","choices":["Server","Client"]},{"name":"workaround","type":"text"},
                   {"name":"changedAt","type":"datetime","stampOn":["status","fields.workaround"]}],
         "workflow":{"statuses":["New","Escalated"],"initial":"New","transitions":[{"name":"Escalate","from":"New","to":"Escalated","roles":["Support Engineer"]}]},
         "descriptions":{"severity":{"1":"Fatal errors"},"fields.product":{"Server":"The server product","*":"What the customer runs"}}}
        """).Value;

    private static EscalationContext Context => new(Incidents, Permissions.DefaultRoles.Keys.ToList(), u => u == "ann", c => c == "system", _ => null);

    private static ParseResult<EscalationGroup> Read(string json) => JsonSerializer.Deserialize<EscalationGroupDocument>(json, Web)!.ToGroup(Context);

    private static IFieldValues Item(params (string Field, object? Value)[] values) => new DictionaryFieldValues(values.ToDictionary(v => v.Field, v => v.Value));

    private const string OutOfHours = """
        {"name":"Out of hours","tracker":"INC","filter":"true","rules":[
          {"name":"Call","anchor":"fields.changedAt","limit":"0","basis":"calendar","outsideWorkingTime":true,"actions":{"notify":{"onCall":true}}},
          {"name":"Later","anchor":"fields.changedAt","limit":"1","basis":"calendar","outsideWorkingTime":true,"actions":{"notify":{"roles":["Engineering Manager"]}}}]}
        """;

    [Theory]
    [InlineData(2026, 3, 27, 16, 59, false)] // Friday, in hours: the rules do not apply
    [InlineData(2026, 3, 27, 17, 0, true)] // Friday 17:00: the end of the hours is outside them
    [InlineData(2026, 3, 28, 10, 0, true)] // Saturday
    [InlineData(2026, 3, 30, 8, 59, true)] // Monday before the hours
    public void OutsideWorkingTime_AppliesOnlyWhenTheAnchorIsOutsideTheCalendarsHours(int y, int m, int d, int h, int min, bool applies)
    {
        var group = Read(OutOfHours).Value;
        var anchor = Instant.FromUtc(y, m, d, h, min);
        var dues = group.Plan.Schedule(Item(("fields.changedAt", anchor)), anchor, [], _ => System);
        Assert.Equal(applies ? [anchor, anchor + Duration.FromHours(1)] : Array.Empty<Instant>(), dues.Select(x => x.Due!.Value));
    }

    [Fact]
    public void NotifyTemplates_NameFieldsOrKnownWords_AndGroupsMayHoldPlaceholders()
    {
        var group = Read("""
            {"name":"Notice","tracker":"INC","filter":"true","rules":[{"name":"Tell","anchor":"submittedAt","actions":{"notify":{
              "groups":["customers-{fields.product}"],"recordInHistory":true,"subject":"{update}{key}: {summary}","body":"Workaround: {fields.workaround}\n{links}"}}}]}
            """).Value;
        var notify = group.Plan.Rules[0].Actions.Notify!;
        Assert.Equal(["customers-{fields.product}"], notify.GroupNames);
        Assert.True(notify.RecordInHistory);
        Assert.False(notify.IsEmpty);

        var refused = Read("""
            {"name":"Notice","tracker":"INC","filter":"true","rules":[{"name":"Tell","anchor":"submittedAt","actions":{"notify":{
              "groups":["customers-{fields.region}",""],"subject":"{customer} and {key}","body":"{links} {upd}"}}}]}
            """);
        Assert.False(refused.Success);
        Assert.Equal(["rules[0].actions.notify.groups[0]", "rules[0].actions.notify.groups[1]", "rules[0].actions.notify.subject", "rules[0].actions.notify.body"],
            refused.Diagnostics.Select(e => e.Field));
        Assert.Contains("'{fields.region}' names neither a field", refused.Diagnostics[0].Message);
    }

    [Fact]
    public void OnCallAlone_IsANotification()
    {
        var rule = Read(OutOfHours).Value.Plan.Rules[0];
        Assert.True(rule.OutsideWorkingTime);
        Assert.True(rule.Actions.Notify!.OnCall);
        Assert.False(rule.Actions.Notify.IsEmpty);
    }

    [Theory]
    [InlineData("{key}: {summary}", "INC-1: Down")]
    [InlineData("{update}{key}", "Update: INC-1")]
    [InlineData("no {placeholders} here {", "no [placeholders] here {")]
    [InlineData("{ key } stays", "{ key } stays")]
    public void MessageTemplate_FillsEachPlaceholder(string template, string expected)
    {
        var values = new Dictionary<string, string> { ["key"] = "INC-1", ["summary"] = "Down", ["update"] = "Update: " };
        Assert.Equal(expected, MessageTemplate.Render(template, name => values.GetValueOrDefault(name, $"[{name}]")));
    }

    [Fact]
    public void StampOnAndDescriptions_RoundTripThroughTheDocument()
    {
        Assert.Equal(["status", "fields.workaround"], Incidents.Field("changedAt")!.StampedBy);
        Assert.Equal("Fatal errors", Incidents.Descriptions!["severity"]["1"]);
        var again = TrackerDocument.From(Incidents);
        Assert.Equal(["status", "fields.workaround"], again.Fields!.Single(f => f.Name == "changedAt").StampOn);
        Assert.Equal("What the customer runs", again.Descriptions!["fields.product"]["*"]);
        Assert.Empty(Incidents.Field("product")!.StampedBy);
    }

    [Theory]
    [InlineData("""[{"name":"at","type":"text","stampOn":["status"]}]""", null, "fields[0].stampOn", "only datetime fields are stamped")]
    [InlineData("""[{"name":"at","type":"datetime","stampOn":["fields.nothing"]}]""", null, "fields[0].stampOn", "'fields.nothing' is not a field whose changes can stamp")]
    [InlineData("""[{"name":"at","type":"datetime","stampOn":["fields.at"]}]""", null, "fields[0].stampOn", "cannot stamp itself")]
    [InlineData("""[{"name":"product","type":"choice","choices":["Server"]}]""", """{"fields.product":{"Desktop":"x"}}""", "descriptions.fields.product.Desktop", "'Desktop' is not a choice")]
    [InlineData("[]", """{"colour":{"red":"x"}}""", "descriptions.colour", "'colour' is not a field")]
    [InlineData("[]", """{"severity":{"1":" "}}""", "descriptions.severity.1", "needs text")]
    public void WrongStampsAndDescriptions_AreRefusedNamingTheField(string fields, string? descriptions, string field, string message)
    {
        var result = ReadTracker($$"""
            {"key":"T","name":"T","fields":{{fields}},"workflow":{"statuses":["New"],"initial":"New","transitions":[]}{{(descriptions is null ? "" : ",\"descriptions\":" + descriptions)}}}
            """);
        Assert.False(result.Success);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }
}
