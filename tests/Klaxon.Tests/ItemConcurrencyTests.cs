using System.Net;
using System.Net.Http.Headers;

namespace Klaxon.Tests;

public sealed class ItemConcurrencyTests : IAsyncLifetime
{
    private SupportProject sup = null!;

    private HttpClient Admin => sup.Admin;

    public async Task InitializeAsync()
    {
        sup = await SupportProject.StartAsync();
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":3}""");
    }

    public async Task DisposeAsync() => await sup.DisposeAsync();

    private Task<HttpResponseMessage> PatchAsync(string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/items/INC-1") { Content = Http.Json(json) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return Admin.SendAsync(request);
    }

    [Fact]
    public async Task StaleIfMatch_Is409_AndLosesNothing()
    {
        using var first = await PatchAsync("""{"priority":1}""", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"2\"", first.Headers.ETag?.Tag);

        using var stale = await PatchAsync("""{"summary":"Overwritten"}""", ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("INC-1 is at version 2, not 1", (string)(await stale.ReadJsonAsync())["detail"]!);
        var item = await Admin.GetJsonAsync("/api/v1/items/INC-1");
        Assert.Equal(("Mail is down", 1, 2), ((string)item["summary"]!, (int)item["priority"]!, (int)item["version"]!));
    }

    [Fact]
    public async Task StaleVersionInTheBody_Is409_ForPatchesAndTransitions()
    {
        await sup.PatchAsync("INC-1", """{"priority":1}""");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        using var patch = await PatchAsync("""{"summary":"Overwritten","version":1}""");
        using var transition = await sup.As("alice").PostJsonAsync("/api/v1/items/INC-1/transitions", """{"transition":"Triage","version":1}""");

        Assert.Equal(HttpStatusCode.Conflict, patch.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, transition.StatusCode);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));

        using var current = await sup.As("alice").PostJsonAsync("/api/v1/items/INC-1/transitions", """{"transition":"Triage","version":2}""");
        Assert.Equal("Triage", (string)(await SupportProject.Expect(HttpStatusCode.OK, current))["status"]!);
    }

    [Fact]
    public async Task StaleIfMatch_OnATransition_Is409()
    {
        await sup.PatchAsync("INC-1", """{"priority":1}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/items/INC-1/transitions") { Content = Http.Json("""{"transition":"Triage"}""") };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse("\"1\""));

        using var response = await sup.As("alice").SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("New", (string)(await Admin.GetJsonAsync("/api/v1/items/INC-1"))["status"]!);
    }

    [Theory]
    [InlineData("\"2\"", HttpStatusCode.OK)]
    [InlineData("W/\"2\"", HttpStatusCode.OK)]
    [InlineData("*", HttpStatusCode.OK)]
    [InlineData("\"abc\"", HttpStatusCode.BadRequest)]
    public async Task IfMatch_AcceptsTheCurrentETagInItsForms(string tag, HttpStatusCode expected)
    {
        await sup.PatchAsync("INC-1", """{"priority":1}""");

        using var response = await PatchAsync("""{"priority":2}""", ifMatch: tag);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task IfMatch_AndBodyVersion_ThatDisagree_Are400()
    {
        using var response = await PatchAsync("""{"priority":2,"version":2}""", ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, (int)(await Admin.GetJsonAsync("/api/v1/items/INC-1"))["version"]!);
    }

    [Fact]
    public async Task ConcurrentPatchesOfDifferentFields_WithoutIfMatch_AllSurvive()
    {
        string[] patches =
        [
            """{"summary":"Mail is down for everyone"}""", """{"description":"Since 9:00"}""", """{"priority":1}""", """{"severity":1}""",
            """{"resolution":"Pending"}""", """{"estimatedHours":4}""", """{"startDate":"2026-03-30T09:00:00Z"}""", """{"fields":{"region":"EMEA"}}""",
            """{"fields":{"impact":7}}""", """{"fields":{"customer":"ACME"}}""", """{"assignedTo":["alice"]}""", """{"supervisors":["pat"]}""",
        ];

        var answers = await Task.WhenAll(patches.Select(p => PatchAsync(p)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var item = await Admin.GetJsonAsync("/api/v1/items/INC-1");
        Http.AssertSameJson("""
            {"key":"INC-1","project":"SUP","tracker":"INC","summary":"Mail is down for everyone","description":"Since 9:00","status":"New","priority":1,"severity":1,
             "submitter":"admin","submittedAt":"2026-03-27T14:00:00Z","assignedTo":["alice"],"supervisors":["pat"],
             "startDate":"2026-03-30T09:00:00Z","endDate":null,"estimatedHours":4,"resolution":"Pending",
             "fields":{"region":"EMEA","impact":7,"detectedAt":null,"owner":null,"confirmed":null,"customer":"ACME"},
             "links":[],"version":13,"updatedAt":"2026-03-27T14:00:00Z"}
            """, item);
        Assert.Equal(13, (await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray().Count);
        foreach (var answer in answers) answer.Dispose();
    }

    [Fact]
    public async Task ConcurrentPatches_WithTheSameIfMatch_OneWins_TheOtherIs409_NothingIsLost()
    {
        for (var round = 0; round < 5; round++)
        {
            var version = (int)(await Admin.GetJsonAsync("/api/v1/items/INC-1"))["version"]!;
            var tag = $"\"{version}\"";

            var answers = await Task.WhenAll(PatchAsync($$"""{"summary":"Round {{round}}"}""", tag), PatchAsync($$$"""{"fields":{"impact":{{{round}}}}}""", tag));

            var statuses = answers.Select(a => a.StatusCode).Order().ToList();
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], statuses);
            var item = await Admin.GetJsonAsync("/api/v1/items/INC-1");
            Assert.Equal(version + 1, (int)item["version"]!);
            if (answers[0].StatusCode == HttpStatusCode.OK) Assert.Equal($"Round {round}", (string)item["summary"]!);
            else Assert.Equal(round, (int)item["fields"]!["impact"]!);
            foreach (var answer in answers) answer.Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentPatchAndTransition_BothSurvive()
    {
        var answers = await Task.WhenAll(
            PatchAsync("""{"priority":1}"""),
            sup.As("alice").PostJsonAsync("/api/v1/items/INC-1/transitions", """{"transition":"Triage"}"""),
            PatchAsync("""{"fields":{"region":"APAC"}}"""));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var item = await Admin.GetJsonAsync("/api/v1/items/INC-1");
        Assert.Equal(("Triage", 1, "APAC", 4), ((string)item["status"]!, (int)item["priority"]!, (string)item["fields"]!["region"]!, (int)item["version"]!));
        foreach (var answer in answers) answer.Dispose();
    }

    [Fact]
    public async Task ConcurrentCreations_GetDistinctConsecutiveNumbers()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Admin.PostJsonAsync("/api/v1/projects/SUP/items", $$"""{"tracker":"INC","summary":"Item {{i}}"}""")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var keys = new List<string>();
        foreach (var answer in answers) keys.Add((string)(await answer.ReadJsonAsync())["key"]!);
        Assert.Equal(Enumerable.Range(2, 20).Select(n => $"INC-{n}").Order(), keys.Order());
        foreach (var answer in answers) answer.Dispose();
    }
}
