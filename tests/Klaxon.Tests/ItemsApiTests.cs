using System.Net;
using System.Text.Json.Nodes;
using Klaxon.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Klaxon.Tests;

public sealed class ItemsApiTests : IAsyncLifetime
{
    private SupportProject sup = null!;

    private HttpClient Admin => sup.Admin;

    public async Task InitializeAsync() => sup = await SupportProject.StartAsync();

    public async Task DisposeAsync() => await sup.DisposeAsync();

    [Fact]
    public async Task Create_NumbersItemsPerTracker_StartsInInitialStatus_SubmittedAtTheClock()
    {
        var first = await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":2,"severity":1}""");
        var second = await sup.CreateAsync("""{"tracker":"INC","summary":"Slow search"}""", sup.As("carl"));
        var bug = await sup.CreateAsync("""{"tracker":"BUG","summary":"Null reference in SMTP relay"}""", sup.As("bob"));

        Assert.Equal("INC-1", (string)first["key"]!);
        Assert.Equal("INC-2", (string)second["key"]!);
        Assert.Equal("BUG-1", (string)bug["key"]!);
        Assert.Equal("New", (string)first["status"]!);
        Assert.Equal("Open", (string)bug["status"]!);
        Assert.Equal("2026-03-27T14:00:00Z", (string)first["submittedAt"]!);
        Assert.Equal("admin", (string)first["submitter"]!);
        Assert.Equal("carl", (string)second["submitter"]!);
    }

    [Fact]
    public async Task Create_AnswersEveryBuiltInField_AndEveryCustomField()
    {
        using var response = await Admin.PostJsonAsync("/api/v1/projects/SUP/items", """
            {"tracker":"INC","summary":"  Mail is down ","description":"Since 9:00","priority":2,"severity":1,"assignedTo":["alice","gina","alice"],
             "supervisors":["pat"],"startDate":"2026-03-30T09:00:00+02:00","endDate":"2026-03-31T17:00:00Z","estimatedHours":4.50,
             "fields":{"region":"EMEA","impact":3,"detectedAt":"2026-03-27T13:15:00Z","owner":"bob","confirmed":true}}
            """);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/items/INC-1", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Http.AssertSameJson("""
            {"key":"INC-1","project":"SUP","tracker":"INC","summary":"Mail is down","description":"Since 9:00","status":"New","priority":2,"severity":1,
             "submitter":"admin","submittedAt":"2026-03-27T14:00:00Z","assignedTo":["alice","gina"],"supervisors":["pat"],
             "startDate":"2026-03-30T07:00:00Z","endDate":"2026-03-31T17:00:00Z","estimatedHours":4.5,"resolution":null,
             "fields":{"region":"EMEA","impact":3,"detectedAt":"2026-03-27T13:15:00Z","owner":"bob","confirmed":true,"customer":null},
             "links":[],"version":1,"updatedAt":"2026-03-27T14:00:00Z"}
            """, await response.ReadJsonAsync());
        Http.AssertSameJson(await response.Content.ReadAsStringAsync(), await Admin.GetJsonAsync("/api/v1/items/INC-1"));
    }

    [Fact]
    public async Task Get_AnswersETag_AndUnknownItemIs404()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down"}""");

        using var found = await Admin.GetAsync("/api/v1/items/INC-1");
        using var missing = await Admin.GetAsync("/api/v1/items/INC-9");

        Assert.Equal("\"1\"", found.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("INC-9", (string)(await missing.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Patch_ChangesOnlyTheFieldsSent_NullClears_AndBumpsTheVersion()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":3,"description":"Since 9:00","fields":{"region":"EMEA","impact":2}}""");

        using var response = await Admin.PatchAsync("/api/v1/items/INC-1", Http.Json("""{"priority":1,"description":null,"fields":{"region":"APAC","impact":null}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var item = await response.ReadJsonAsync();
        Assert.Equal("Mail is down", (string)item["summary"]!);
        Assert.Equal(1, (int)item["priority"]!);
        Assert.Null(item["description"]);
        Assert.True(item.AsObject().ContainsKey("description"));
        Assert.Equal("APAC", (string)item["fields"]!["region"]!);
        Assert.Null(item["fields"]!["impact"]);
        Assert.Equal(2, (int)item["version"]!);
    }

    [Fact]
    public async Task Patch_WithTheSameValues_ChangesNothing()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":3,"assignedTo":["alice"]}""");

        var item = await sup.PatchAsync("INC-1", """{"summary":"Mail is down","priority":3,"assignedTo":["alice"],"fields":{"region":null}}""");

        Assert.Equal(1, (int)item["version"]!);
        Assert.Single((await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray());
    }

    [Fact]
    public async Task History_RecordsCreation_EachFieldChange_AndTransitions_WithActorAndTime()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":3}""");
        await sup.Server.Client.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT1H"}""");
        await sup.PatchAsync("INC-1", """{"priority":1,"assignedTo":["alice","bob"],"startDate":"2026-03-30T09:00:00Z","fields":{"region":"EMEA","confirmed":false}}""", sup.As("alice"));
        await sup.TransitionAsync("INC-1", "Triage");

        var history = await Admin.GetJsonAsync("/api/v1/items/INC-1/history");

        Http.AssertSameJson("""
            [{"at":"2026-03-27T14:00:00Z","actor":"admin","field":"created","oldValue":null,"newValue":"INC-1"},
             {"at":"2026-03-27T15:00:00Z","actor":"alice","field":"priority","oldValue":"3","newValue":"1"},
             {"at":"2026-03-27T15:00:00Z","actor":"alice","field":"assignedTo","oldValue":null,"newValue":"alice, bob"},
             {"at":"2026-03-27T15:00:00Z","actor":"alice","field":"startDate","oldValue":null,"newValue":"2026-03-30T09:00:00Z"},
             {"at":"2026-03-27T15:00:00Z","actor":"alice","field":"fields.region","oldValue":null,"newValue":"EMEA"},
             {"at":"2026-03-27T15:00:00Z","actor":"alice","field":"fields.confirmed","oldValue":null,"newValue":"false"},
             {"at":"2026-03-27T15:00:00Z","actor":"alice","field":"status","oldValue":"New","newValue":"Triage","transition":"Triage"}]
            """, history);
    }

    public static TheoryData<string, string, string> BadPatches => new()
    {
        { """{"fields":{"colour":"red"}}""", "fields.colour", "not a field of tracker INC" },
        { """{"fields":{"impact":"high"}}""", "fields.impact", "expected a number" },
        { """{"fields":{"region":"LATAM"}}""", "fields.region", "'LATAM' is not one of the choices of region: EMEA, APAC" },
        { """{"fields":{"detectedAt":"yesterday"}}""", "fields.detectedAt", "'yesterday' is not an instant" },
        { """{"fields":{"detectedAt":1767600000000}}""", "fields.detectedAt", "expected a date-time" },
        { """{"fields":{"confirmed":"yes"}}""", "fields.confirmed", "expected true or false" },
        { """{"fields":{"customer":42}}""", "fields.customer", "expected text" },
        { """{"fields":{"owner":"zoe"}}""", "fields.owner", "'zoe' is not a user" },
        { """{"fields":{"owner":"olga"}}""", "fields.owner", "'olga' is not a member of project SUP" },
        { """{"assignedTo":["alice","zoe"]}""", "assignedTo", "'zoe' is not a user" },
        { """{"assignedTo":"alice"}""", "assignedTo", "expected an array" },
        { """{"supervisors":["olga"]}""", "supervisors", "'olga' is not a member of project SUP" },
        { """{"supervisors":["admin"]}""", "supervisors", "'admin' is not a member of project SUP" },
        { """{"priority":0}""", "priority", "0 is not a priority" },
        { """{"priority":6}""", "priority", "from 1 (Highest) to 5 (Lowest)" },
        { """{"priority":2.5}""", "priority", "2.5 is not a priority" },
        { """{"priority":"high"}""", "priority", "expected a number" },
        { """{"severity":4}""", "severity", "from 1 (most severe) to 3" },
        { """{"severity":0}""", "severity", "0 is not a severity" },
        { """{"startDate":"2026-03-30 09:00"}""", "startDate", "is not an instant" },
        { """{"endDate":"2026-03-30T09:00:00"}""", "endDate", "has no offset" },
        { """{"estimatedHours":-1}""", "estimatedHours", "-1 is negative" },
        { """{"summary":"  "}""", "summary", "is required" },
        { """{"status":"Closed"}""", "status", "only through a workflow transition" },
        { """{"colour":"red"}""", "colour", "'colour' is not a known property" },
        { """{"submitter":"bob"}""", "submitter", "'submitter' is not a known property" },
    };

    [Theory]
    [MemberData(nameof(BadPatches))]
    public async Task Patch_BadInput_Is400NamingTheField_AndChangesNothing(string body, string field, string message)
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":3,"assignedTo":["alice"],"fields":{"region":"EMEA","owner":"bob"}}""");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        // A valid change sent along is refused with the bad one.
        var request = JsonNode.Parse(body)!.AsObject();
        request["description"] = "Changed too";

        using var response = await Admin.PatchAsync("/api/v1/items/INC-1", Http.Json(request.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains(message, (string)problem["detail"]!);
        Assert.Contains(field, (string)problem["detail"]!);
        Assert.NotNull(problem["errors"]?[field]);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));
        Assert.Single((await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray());
    }

    public static TheoryData<string, string, string> BadCreations => new()
    {
        { """{"summary":"No tracker"}""", "tracker", "is required" },
        { """{"tracker":"OPS","summary":"Unknown tracker"}""", "tracker", "there is no tracker 'OPS' in project SUP" },
        { """{"tracker":"INC"}""", "summary", "is required" },
        { """{"tracker":"INC","summary":"x","fields":{"region":"LATAM"}}""", "fields.region", "'LATAM' is not one of the choices" },
        { """{"tracker":"INC","summary":"x","assignedTo":["olga"]}""", "assignedTo", "'olga' is not a member of project SUP" },
        { """{"tracker":"INC","summary":"x","priority":9}""", "priority", "9 is not a priority" },
        { """{"tracker":"INC","summary":"x","severity":"high"}""", "severity", "expected a number" },
        { """{"tracker":"INC","summary":"x","startDate":"tomorrow"}""", "startDate", "'tomorrow' is not an instant" },
        { """{"tracker":"INC","summary":"x","status":"Closed"}""", "status", "only through a workflow transition" },
        { """{"tracker":"BUG","summary":"x","fields":{"region":"EMEA"}}""", "fields.region", "not a field of tracker BUG (it has no custom fields)" },
    };

    [Theory]
    [MemberData(nameof(BadCreations))]
    public async Task Create_BadInput_Is400NamingTheField_AndStoresNothing(string body, string field, string message)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/projects/SUP/items", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains(message, (string)problem["detail"]!);
        Assert.NotNull(problem["errors"]?[field]);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/items/INC-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/items/BUG-1")).StatusCode);
        // No number was used up by the refused request.
        Assert.Equal("INC-1", (string)(await sup.CreateAsync("""{"tracker":"INC","summary":"Valid"}"""))["key"]!);
    }

    [Fact]
    public async Task Create_InUnknownProject_Is404()
    {
        using var response = await Admin.PostJsonAsync("/api/v1/projects/NOPE/items", """{"tracker":"INC","summary":"x"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task PeopleFields_AcceptMembersThroughGroups()
    {
        var item = await sup.CreateAsync("""{"tracker":"INC","summary":"x","assignedTo":["gina"],"fields":{"owner":"gina"}}""");

        Assert.Equal(["gina"], item["assignedTo"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task People_WhoLeftTheProject_StayOnTheItem_AndOtherChangesStillWork()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"x","assignedTo":["alice"],"supervisors":["pat"]}""");
        await using (var scope = sup.Server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
            db.Members.Remove(db.Members.Single(m => m.Principal == "alice"));
            await db.SaveChangesAsync();
        }

        var item = await sup.PatchAsync("INC-1", """{"assignedTo":["alice","bob"],"priority":2}""");

        Assert.Equal(["alice", "bob"], item["assignedTo"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task Api_WithoutToken_Is401_AndStoresNothing()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"x"}""");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        var answers = new[]
        {
            await sup.Server.Anonymous.GetAsync("/api/v1/items/INC-1"),
            await sup.Server.Anonymous.PostJsonAsync("/api/v1/projects/SUP/items", """{"tracker":"INC","summary":"y"}"""),
            await sup.Server.Anonymous.PatchAsync("/api/v1/items/INC-1", Http.Json("""{"priority":1}""")),
            await sup.Server.Anonymous.PostJsonAsync("/api/v1/items/INC-1/transitions", """{"transition":"Triage"}"""),
            await sup.Server.Anonymous.GetAsync("/api/v1/items/INC-1/history"),
            await sup.Server.Anonymous.GetAsync("/api/v1/items/INC-1/transitions"),
            await sup.Server.Anonymous.GetAsync("/api/v1/items/INC-1/links"),
            await sup.Server.Anonymous.GetAsync("/api/v1/projects/SUP/trackers"),
            await sup.Server.Anonymous.PutJsonAsync("/api/v1/projects/SUP/trackers/INC", SupportProject.Incident),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/items/INC-2")).StatusCode);
        foreach (var answer in answers) answer.Dispose();
    }

    [Theory]
    [InlineData("olga", "GET", "/api/v1/items/INC-1", null, "items.view")]
    [InlineData("olga", "GET", "/api/v1/items/INC-1/history", null, "items.view")]
    [InlineData("olga", "GET", "/api/v1/items/INC-1/links", null, "items.view")]
    [InlineData("olga", "GET", "/api/v1/items/INC-1/transitions", null, "items.view")]
    [InlineData("dora", "POST", "/api/v1/projects/SUP/items", """{"tracker":"INC","summary":"y"}""", "items.create")]
    [InlineData("carl", "PATCH", "/api/v1/items/INC-1", """{"priority":1}""", "items.edit")]
    [InlineData("dora", "PATCH", "/api/v1/items/INC-1", """{"priority":1}""", "items.edit")]
    [InlineData("carl", "POST", "/api/v1/items/INC-1/transitions", """{"transition":"Triage"}""", "items.transition")]
    [InlineData("dora", "POST", "/api/v1/items/INC-1/transitions", """{"transition":"Triage"}""", "items.transition")]
    [InlineData("carl", "POST", "/api/v1/items/INC-1/links", """{"type":"bug-report","item":"BUG-1"}""", "items.edit")]
    [InlineData("carl", "DELETE", "/api/v1/items/INC-1/links/duplicate/INC-2", null, "items.edit")]
    public async Task UsersLackingAPermission_Get403NamingIt_AndNothingChanges(string login, string method, string path, string? body, string permission)
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"x","priority":3}""");
        await sup.CreateAsync("""{"tracker":"INC","summary":"y"}""");
        await sup.CreateAsync("""{"tracker":"BUG","summary":"z"}""");
        await sup.LinkAsync("INC-1", "duplicate", "INC-2");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");
        var history = await Admin.GetTextAsync("/api/v1/items/INC-1/history");

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Http.Json(body) };
        using var response = await sup.As(login).SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(permission, (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));
        Assert.Equal(history, await Admin.GetTextAsync("/api/v1/items/INC-1/history"));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/items/INC-3")).StatusCode);
    }

    [Fact]
    public async Task UsersWithThePermissions_MayDoEachThing()
    {
        var created = await sup.CreateAsync("""{"tracker":"INC","summary":"From a customer"}""", sup.As("carl"));
        Assert.Equal("From a customer", (string)(await sup.As("dora").GetJsonAsync("/api/v1/items/INC-1"))["summary"]!);

        await sup.PatchAsync("INC-1", """{"priority":2}""", sup.As("quinn"));
        await sup.TransitionAsync("INC-1", "Triage", sup.As("alice"));
        await sup.PatchAsync("INC-1", """{"priority":1}""", sup.As("gina"));

        Assert.Equal("INC-1", (string)created["key"]!);
        var item = await Admin.GetJsonAsync("/api/v1/items/INC-1");
        Assert.Equal(("Triage", 1), ((string)item["status"]!, (int)item["priority"]!));
    }

    [Fact]
    public async Task Links_ShowOnBothItems_AreRecordedInBothHistories_AndCanBeRemovedFromEitherEnd()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down"}""");
        await sup.CreateAsync("""{"tracker":"BUG","summary":"Relay crashes"}""");

        using var created = await sup.As("alice").PostJsonAsync("/api/v1/items/INC-1/links", """{"type":"bug-report","item":"BUG-1"}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/items/INC-1/links/bug-report/BUG-1", created.Headers.Location?.OriginalString);
        Http.AssertSameJson("""{"type":"bug-report","direction":"outgoing","item":"BUG-1","summary":"Relay crashes","status":"Open","createdAt":"2026-03-27T14:00:00Z"}""",
            await created.ReadJsonAsync());
        Http.AssertSameJson("""[{"type":"bug-report","direction":"outgoing","item":"BUG-1","summary":"Relay crashes","status":"Open","createdAt":"2026-03-27T14:00:00Z"}]""",
            await Admin.GetJsonAsync("/api/v1/items/INC-1/links"));
        Http.AssertSameJson("""[{"type":"bug-report","direction":"incoming","item":"INC-1","summary":"Mail is down","status":"New","createdAt":"2026-03-27T14:00:00Z"}]""",
            await Admin.GetJsonAsync("/api/v1/items/BUG-1/links"));
        var incident = await Admin.GetJsonAsync("/api/v1/items/INC-1");
        Assert.Equal(2, (int)incident["version"]!);
        Assert.Equal("BUG-1", (string)incident["links"]![0]!["item"]!);
        Assert.Equal("INC-1", (string)(await Admin.GetJsonAsync("/api/v1/items/BUG-1"))["links"]![0]!["item"]!);

        using var again = await Admin.PostJsonAsync("/api/v1/items/INC-1/links", """{"type":"bug-report","item":"BUG-1"}""");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("INC-1 already links to BUG-1 as 'bug-report'", (string)(await again.ReadJsonAsync())["detail"]!);

        // Removed from the bug's end: the link is found the other way round.
        using var removed = await sup.As("bob").DeleteAsync("/api/v1/items/BUG-1/links/bug-report/INC-1");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty((await Admin.GetJsonAsync("/api/v1/items/INC-1/links")).AsArray());
        Assert.Empty((await Admin.GetJsonAsync("/api/v1/items/BUG-1/links")).AsArray());
        using var gone = await Admin.DeleteAsync("/api/v1/items/INC-1/links/bug-report/BUG-1");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var incidentHistory = (await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray().Skip(1).Select(h => $"{h!["actor"]} {h["field"]} {h["oldValue"]}>{h["newValue"]}");
        var bugHistory = (await Admin.GetJsonAsync("/api/v1/items/BUG-1/history")).AsArray().Skip(1).Select(h => $"{h!["actor"]} {h["field"]} {h["oldValue"]}>{h["newValue"]}");
        Assert.Equal(["alice link:bug-report >BUG-1", "bob link:bug-report BUG-1>"], incidentHistory);
        Assert.Equal(["alice linked-from:bug-report >INC-1", "bob linked-from:bug-report INC-1>"], bugHistory);
    }

    [Theory]
    [InlineData("""{"type":"bug-report","item":"BUG-9"}""", "item", "there is no item 'BUG-9'")]
    [InlineData("""{"type":"bug-report","item":"INC-1"}""", "item", "cannot link to itself")]
    [InlineData("""{"type":"Bug Report","item":"BUG-1"}""", "type", "is not a link type")]
    [InlineData("""{"item":"BUG-1"}""", "type", "is required")]
    [InlineData("""{"type":"bug-report"}""", "item", "is required")]
    public async Task Link_BadInput_Is400NamingTheField(string body, string field, string message)
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down"}""");
        await sup.CreateAsync("""{"tracker":"BUG","summary":"Relay crashes"}""");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        using var response = await Admin.PostJsonAsync("/api/v1/items/INC-1/links", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains(message, (string)problem["detail"]!);
        Assert.NotNull(problem["errors"]?[field]);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));
    }

    [Fact]
    public async Task Links_ToItemsOfProjectsTheCallerMayNotView_AreLeftOut()
    {
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down"}""");
        await SupportProject.Expect(HttpStatusCode.Created, await Admin.PostJsonAsync("/api/v1/projects", """{"key":"ENG","name":"Engineering"}"""));
        await SupportProject.Expect(HttpStatusCode.Created, await Admin.PostJsonAsync("/api/v1/projects/ENG/trackers",
            """{"key":"DEF","name":"Defect","workflow":{"statuses":["Open"],"initial":"Open","transitions":[]}}"""));
        await SupportProject.Expect(HttpStatusCode.Created, await Admin.PostJsonAsync("/api/v1/projects/ENG/items", """{"tracker":"DEF","summary":"Secret defect"}"""));
        await sup.LinkAsync("INC-1", "bug-report", "DEF-1");

        Assert.Single((await Admin.GetJsonAsync("/api/v1/items/INC-1/links")).AsArray());
        Assert.Empty((await sup.As("alice").GetJsonAsync("/api/v1/items/INC-1/links")).AsArray());
        using var linkingBlind = await sup.As("alice").PostJsonAsync("/api/v1/items/INC-1/links", """{"type":"duplicate","item":"DEF-1"}""");
        Assert.Equal(HttpStatusCode.Forbidden, linkingBlind.StatusCode);
    }
}
