using System.Net;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>POST /api/v1/projects/{key}/escalation-groups/preview: what a group would do, before it is saved.</summary>
public class EscalationPreviewTests
{
    // Verify within 1 (urgent) or 4 working hours, telling the Project Admins (pat directly, gina through a group);
    // then every 24 hours of elapsed time, telling sam.
    private const string Group = """
        {"name":"Nagging","tracker":"TASK","filter":"status in (\"New\", null)","rules":[
          {"name":"Verify","anchor":"submittedAt","limit":"priority == 1 ? 1 : 4","unit":"hours","basis":"working","actions":{"notify":{"roles":["Project Admin"]}}},
          {"name":"Again","anchor":"afterLastEscalation","limit":"24","unit":"hours","basis":"calendar","actions":{"notify":{"users":["sam"]}}}]}
        """;

    private const string Path = $"/api/v1/projects/{EscalationProject.Key}/escalation-groups/preview";

    [Fact]
    public async Task Preview_ListsTheMatchingItemsWithEachRulesDue_AndCountsMessagesPerRecipientOverSevenDays_StoringNothing()
    {
        await using var p = await EscalationProject.StartAsync();
        var urgent = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":1}""");
        var normal = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Typo","priority":3}""");
        var started = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Being handled","priority":1}""");
        await p.TransitionAsync(started, "Start");

        var preview = await Users.ExpectAsync(HttpStatusCode.OK, p.Pat.Client.PostJsonAsync(Path, Group));

        Assert.Equal("2026-03-27T14:00:00Z", (string)preview["from"]!);
        Assert.Equal("2026-04-03T14:00:00Z", (string)preview["until"]!);
        Assert.Equal(2, (int)preview["matching"]!);
        Assert.False((bool)preview["truncated"]!);
        var items = preview["items"]!.AsArray();
        Assert.Equal([urgent, normal], items.Select(i => (string)i!["key"]!));
        // Urgent: due 15:00, then again every 24 hours: Saturday to Thursday (Friday 15:00 is after the window).
        AssertRule(items[0]!["rules"]![0]!, "Verify", "2026-03-27T15:00:00Z", 1);
        AssertRule(items[0]!["rules"]![1]!, "Again", null, 6);
        Assert.Contains("after another rule fired", (string)items[0]!["rules"]![1]!["error"]!);
        // Normal: 4 working hours = 3 on Friday and 1 on Monday; then Tuesday to Friday 10:00.
        AssertRule(items[1]!["rules"]![0]!, "Verify", "2026-03-30T10:00:00Z", 1);
        AssertRule(items[1]!["rules"]![1]!, "Again", null, 4);
        Assert.Equal(12, (int)preview["firings"]!);
        Assert.Equal(14, (int)preview["totalMessages"]!);
        Http.AssertSameJson("""[{"login":"sam","messages":10},{"login":"gina","messages":2},{"login":"pat","messages":2}]""", preview["messages"]);

        Http.AssertSameJson("[]", await p.Admin.GetJsonAsync($"/api/v1/projects/{EscalationProject.Key}/escalation-groups"));
        Assert.Empty(await p.ScheduleAsync(urgent));
    }

    [Fact]
    public async Task PreviewReplacingAStoredGroup_CountsItsRecordedFirings()
    {
        await using var p = await EscalationProject.StartAsync();
        var urgent = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":1}""");
        var id = await p.AddGroupAsync(Group);
        await p.AdvanceToAsync("2026-03-27T15:00:00Z");
        Assert.Contains("Verify fired 2026-03-27T15:00:00Z fired 2026-03-27T15:00:00Z", await p.ScheduleLinesAsync(urgent));

        var replacing = await Users.ExpectAsync(HttpStatusCode.OK, p.Pat.Client.PostJsonAsync(Path + "?replacing=" + id, Group));
        var fresh = await Users.ExpectAsync(HttpStatusCode.OK, p.Pat.Client.PostJsonAsync(Path, Group));

        // Verify has fired for this due already; Again repeats from 15:00 on, Saturday to Friday 15:00 (the window's end).
        AssertRule(replacing["items"]![0]!["rules"]![0]!, "Verify", null, 0);
        AssertRule(replacing["items"]![0]!["rules"]![1]!, "Again", "2026-03-28T15:00:00Z", 7);
        // As a new group it would fire Verify again at once (overdue), then repeat from then.
        AssertRule(fresh["items"]![0]!["rules"]![0]!, "Verify", "2026-03-27T15:00:00Z", 1);
        Assert.Equal(1 + 7, (int)fresh["items"]![0]!["rules"]!.AsArray().Sum(r => (int)r!["firings"]!));
    }

    [Fact]
    public async Task Preview_IsRefusedWithoutViewEscalationSchedule_ForAWrongGroup_AndForAnUnknownGroupToReplace()
    {
        await using var p = await EscalationProject.StartAsync();
        var sue = p.Server.ClientFor(await TokenOfAsync(p, "sue"));

        await Users.ExpectAsync(HttpStatusCode.Forbidden, sue.PostJsonAsync(Path, Group));
        var invalid = await Users.ExpectAsync(HttpStatusCode.BadRequest, p.Pat.Client.PostJsonAsync(Path, Group.Replace("priority == 1 ? 1 : 4", "priority ==")));
        Assert.NotNull(invalid["errors"]!["rules[0].limit"]);
        await Users.ExpectAsync(HttpStatusCode.NotFound, p.Pat.Client.PostJsonAsync(Path + "?replacing=999", Group));
    }

    private static void AssertRule(JsonNode rule, string name, string? due, int firings)
    {
        Assert.Equal(name, (string)rule["rule"]!);
        Assert.Equal(due, (string?)rule["due"]);
        Assert.Equal(firings, (int)rule["firings"]!);
    }

    private static async Task<string> TokenOfAsync(EscalationProject p, string login) =>
        (string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync($"/api/v1/users/{login}/tokens", """{"name":"preview"}""")))["token"]!;
}
