using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

public sealed class TrackersApiTests : IAsyncLifetime
{
    private SupportProject sup = null!;

    private HttpClient Admin => sup.Admin;

    public async Task InitializeAsync() => sup = await SupportProject.StartAsync();

    public async Task DisposeAsync() => await sup.DisposeAsync();

    private static string WithName(string tracker, string name)
    {
        var document = JsonNode.Parse(tracker)!.AsObject();
        document["name"] = name;
        return document.ToJsonString();
    }

    [Fact]
    public async Task Created_ThenGet_ReturnsTheDocument_WithETag_AndListsInKeyOrder()
    {
        using var response = await Admin.GetAsync("/api/v1/projects/SUP/trackers/INC");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Http.AssertSameJson(SupportProject.Incident.Replace("""{"name":"Triage","from":"New","to":"Triage","roles":["Support Engineer"]}""",
            """{"name":"Triage","from":"New","to":"Triage","roles":["Support Engineer"],"requires":[]}""")
            .Replace("""{"name":"Mark unconfirmed","from":"New","to":"Unconfirmed","roles":[]}""", """{"name":"Mark unconfirmed","from":"New","to":"Unconfirmed","roles":[],"requires":[]}""")
            .Replace("""{"name":"Close","from":"Resolved","to":"Closed","roles":["QA"]}""", """{"name":"Close","from":"Resolved","to":"Closed","roles":["QA"],"requires":[]}"""),
            await response.ReadJsonAsync());
        var list = await sup.As("dora").GetJsonAsync("/api/v1/projects/SUP/trackers");
        Assert.Equal(["BUG", "INC"], list.AsArray().Select(t => (string)t!["key"]!));
    }

    [Fact]
    public async Task Create_WithAKeyTakenInAnyProject_Is409()
    {
        await SupportProject.Expect(HttpStatusCode.Created, await Admin.PostJsonAsync("/api/v1/projects", """{"key":"OPS","name":"Operations"}"""));

        using var here = await Admin.PostJsonAsync("/api/v1/projects/SUP/trackers", SupportProject.Incident);
        using var elsewhere = await Admin.PostJsonAsync("/api/v1/projects/OPS/trackers", SupportProject.Incident);
        using var put = await Admin.PutJsonAsync("/api/v1/projects/OPS/trackers/INC", SupportProject.Incident);

        Assert.Equal(HttpStatusCode.Conflict, here.StatusCode);
        Assert.Contains("already exists in project SUP", (string)(await here.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
        Assert.Contains("'INC' is taken by project SUP", (string)(await elsewhere.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Empty((await Admin.GetJsonAsync("/api/v1/projects/OPS/trackers")).AsArray());
    }

    [Theory]
    [InlineData("""{"key":"TSK","name":"Task","workflow":{"statuses":["Open"],"initial":"Open","transitions":[{"name":"Go","from":"Open","to":"Open","roles":["Wizard"]}]}}""",
        "workflow.transitions[0].roles", "'Wizard' is not a role of this project")]
    [InlineData("""{"key":"TSK","name":"Task","workflow":{"statuses":["Open"],"initial":"Done","transitions":[]}}""", "workflow.initial", "'Done' is not one of the statuses")]
    [InlineData("""{"key":"tsk","name":"Task","workflow":{"statuses":["Open"],"initial":"Open","transitions":[]}}""", "key", "'tsk' is not a tracker key")]
    [InlineData("""{"key":"TSK","name":"Task","fields":[{"name":"kind","type":"colour"}],"workflow":{"statuses":["Open"],"initial":"Open","transitions":[]}}""",
        "fields[0].type", "'colour' is not a field type")]
    [InlineData("""{"key":"TSK","name":"Task","workflow":{"statuses":["Open"],"initial":"Open","transitions":[{"name":"Go","from":"Open","to":"Open","roles":[],"requires":["fields.nope"]}]}}""",
        "workflow.transitions[0].requires", "'fields.nope' is neither a field")]
    public async Task Create_InvalidDocument_Is400NamingTheField_AndStoresNothing(string document, string field, string message)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/projects/SUP/trackers", document);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains(message, (string)problem["detail"]!);
        Assert.NotNull(problem["errors"]?[field]);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/projects/SUP/trackers/TSK")).StatusCode);
    }

    [Fact]
    public async Task Put_Replaces_WithIfMatch_AndAStaleIfMatchIs409()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/projects/SUP/trackers/INC") { Content = Http.Json(WithName(SupportProject.Incident, "Incidents")) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse("\"1\""));
        using var replaced = await Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("\"2\"", replaced.Headers.ETag?.Tag);
        Assert.Equal("Incidents", (string)(await Admin.GetJsonAsync("/api/v1/projects/SUP/trackers/INC"))["name"]!);

        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/v1/projects/SUP/trackers/INC") { Content = Http.Json(WithName(SupportProject.Incident, "Stale")) };
        stale.Headers.IfMatch.Add(EntityTagHeaderValue.Parse("\"1\""));
        using var refused = await Admin.SendAsync(stale);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("Incidents", (string)(await Admin.GetJsonAsync("/api/v1/projects/SUP/trackers/INC"))["name"]!);
    }

    [Fact]
    public async Task Put_NewKey_Creates_AndAKeyDifferentFromThePathIs400()
    {
        using var created = await Admin.PutJsonAsync("/api/v1/projects/SUP/trackers/TSK", """{"name":"Task","workflow":{"statuses":["Open"],"initial":"Open","transitions":[]}}""");
        using var mismatch = await Admin.PutJsonAsync("/api/v1/projects/SUP/trackers/TSK", SupportProject.Bug);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("TSK", (string)(await created.ReadJsonAsync())["key"]!);
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.NotNull((await mismatch.ReadJsonAsync())["errors"]?["key"]);
    }

    [Fact]
    public async Task Put_DroppingAStatusItemsAreIn_Is409_ButAnUnusedOneMayGo()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"x"}""");
        await sup.TransitionAsync("INC-1", "Triage");
        var withoutTriage = SupportProject.Incident
            .Replace("\"Triage\",\"Unconfirmed\"", "\"Unconfirmed\"")
            .Replace("""{"name":"Triage","from":"New","to":"Triage","roles":["Support Engineer"]},""", "")
            .Replace("""{"name":"Escalate to engineering","from":"Triage",""", """{"name":"Escalate to engineering","from":"New",""");

        using var refused = await Admin.PutJsonAsync("/api/v1/projects/SUP/trackers/INC", withoutTriage);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("drops 'Triage' (1 item)", (string)(await refused.ReadJsonAsync())["detail"]!);
        var withoutUnconfirmed = SupportProject.Incident.Replace("""{"name":"Mark unconfirmed","from":"New","to":"Unconfirmed","roles":[]},""", "").Replace("\"Unconfirmed\",", "");
        await SupportProject.Expect(HttpStatusCode.OK, await Admin.PutJsonAsync("/api/v1/projects/SUP/trackers/INC", withoutUnconfirmed));
    }

    [Fact]
    public async Task Put_ChangingAFieldsType_Is409()
    {
        using var response = await Admin.PutJsonAsync("/api/v1/projects/SUP/trackers/INC",
            SupportProject.Incident.Replace("""{"name":"impact","type":"number"}""", """{"name":"impact","type":"text"}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("'impact' of INC is number; its type cannot change to text", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Put_AddingAField_ShowsItOnExistingItems()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"x"}""");

        await SupportProject.Expect(HttpStatusCode.OK, await Admin.PutJsonAsync("/api/v1/projects/SUP/trackers/INC",
            SupportProject.Incident.Replace("""{"name":"customer","type":"text"}""", """{"name":"customer","type":"text"},{"name":"contract","type":"text"}""")));
        var item = await sup.PatchAsync("INC-1", """{"fields":{"contract":"Gold"}}""");

        Assert.Equal("Gold", (string)item["fields"]!["contract"]!);
        Assert.True(item["fields"]!.AsObject().ContainsKey("customer"));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("bob")]
    [InlineData("olga")]
    public async Task Writes_WithoutProjectAdmin_Are403_AndChangeNothing(string login)
    {
        var before = await Admin.GetTextAsync("/api/v1/projects/SUP/trackers/INC");

        using var post = await sup.As(login).PostJsonAsync("/api/v1/projects/SUP/trackers", """{"key":"TSK","name":"Task","workflow":{"statuses":["Open"],"initial":"Open","transitions":[]}}""");
        using var put = await sup.As(login).PutJsonAsync("/api/v1/projects/SUP/trackers/INC", WithName(SupportProject.Incident, "Hijacked"));

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("project.admin", (string)(await put.ReadJsonAsync())["detail"]!);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/projects/SUP/trackers/INC"));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/projects/SUP/trackers/TSK")).StatusCode);
    }

    [Fact]
    public async Task Writes_ByAProjectAdminMember_AreAllowed()
    {
        using var post = await sup.As("pat").PostJsonAsync("/api/v1/projects/SUP/trackers", """{"key":"TSK","name":"Task","workflow":{"statuses":["Open"],"initial":"Open","transitions":[]}}""");

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
    }

    [Fact]
    public async Task Reads_NeedItemsView()
    {
        using var list = await sup.As("olga").GetAsync("/api/v1/projects/SUP/trackers");
        using var one = await sup.As("olga").GetAsync("/api/v1/projects/SUP/trackers/INC");
        using var missing = await Admin.GetAsync("/api/v1/projects/SUP/trackers/NOPE");
        using var noProject = await Admin.GetAsync("/api/v1/projects/NOPE/trackers");

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, one.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noProject.StatusCode);
    }
}
