using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Tests;

public sealed class ViewsApiTests : IAsyncLifetime
{
    private const string Views = "/api/v1/projects/LST/views";
    private ListingProject project = null!;

    public async Task InitializeAsync() => project = await ListingProject.StartAsync();

    public async Task DisposeAsync() => await project.DisposeAsync();

    private static string View(string name, string filter, bool? isPublic = null, string tracker = "INC") =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["name"] = name, ["tracker"] = tracker, ["filter"] = filter, ["public"] = isPublic }
            .Where(p => p.Value is not null).ToDictionary());

    private static async Task<long> CreateAsync(HttpClient client, string body)
    {
        using var response = await client.PostJsonAsync(Views, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return (long)JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    private Task<int> StoredViewsAsync() => project.ReadAsync(db => db.Views.CountAsync());

    [Fact]
    public async Task Create_APrivateView_StoresItForItsOwner()
    {
        using var response = await project.Ann.PostJsonAsync(Views, View("Urgent new", "status == \"New\" and priority <= 2"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var id = (long)created["id"]!;
        Assert.Equal($"{Views}/{id}", response.Headers.Location?.OriginalString);
        Http.AssertSameJson($$"""
            {"id":{{id}},"project":"LST","name":"Urgent new","tracker":"INC","filter":"status == \"New\" and priority <= 2","public":false,"owner":"ann","version":1}
            """, created);
        Http.AssertSameJson(created.ToJsonString(), await project.Ann.GetJsonAsync($"{Views}/{id}"));
        Assert.Equal([id], (await project.Ann.GetJsonAsync(Views)).AsArray().Select(v => (long)v!["id"]!));
    }

    [Fact]
    public async Task Create_WithoutAFilter_SelectsEveryItemOfTheTracker()
    {
        var id = await CreateAsync(project.Ann, """{"name":"All incidents","tracker":"INC"}""");

        Assert.Equal("", (string)(await project.Ann.GetJsonAsync($"{Views}/{id}"))["filter"]!);
    }

    [Theory]
    [InlineData("(priority < 2", "filter: line 1, column 14: expected ')' after '2'")]
    [InlineData("priority == \"high\"", "filter: line 1, column 10: '==' cannot compare a number with text")]
    [InlineData("prio <= 2", "filter: line 1, column 1: unknown field 'prio'; known fields: ")]
    [InlineData("fields.region == \"MARS\"", "filter: line 1, column 18: \"MARS\" is not a choice of fields.region (EMEA, APAC)")]
    [InlineData("priority + 1", "filter: line 1, column 1: a filter must be a condition (true or false), but this is a number")]
    public async Task Create_WithAFilterThatDoesNotCompile_Is400WithThePositionAndStoresNothing(string filter, string message)
    {
        using var response = await project.Ann.PostJsonAsync(Views, View("Broken", filter));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.StartsWith(message, (string)problem["detail"]!);
        Assert.StartsWith(message["filter: ".Length..], (string)problem["errors"]!["filter"]![0]!);
        Assert.Equal(0, await StoredViewsAsync());
    }

    [Theory]
    [InlineData("""{"tracker":"INC","filter":"priority == 1"}""", "name")]
    [InlineData("""{"name":"x","filter":"priority == 1"}""", "tracker")]
    [InlineData("""{"name":"x","tracker":"NOPE","filter":"priority == 1"}""", "tracker")]
    [InlineData("""{"name":"x","tracker":"OTH","filter":"priority == 1"}""", "tracker")]
    [InlineData("""{"name":"x","tracker":"INC","filter":"priority == 1","shared":true}""", "shared")]
    public async Task Create_WithoutNameOrWithAWrongTracker_Is400AndStoresNothing(string body, string field)
    {
        using var response = await project.Ann.PostJsonAsync(Views, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(0, await StoredViewsAsync());
    }

    [Fact]
    public async Task Put_ReplacesTheView_AndCountsTheVersion()
    {
        var id = await CreateAsync(project.Ann, View("Mine", "priority == 1"));

        using var response = await project.Ann.PutJsonAsync($"{Views}/{id}", View("Mine, renamed", "priority <= 2 and fields.region == \"EMEA\""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = $$"""
            {"id":{{id}},"project":"LST","name":"Mine, renamed","tracker":"INC","filter":"priority <= 2 and fields.region == \"EMEA\"","public":false,"owner":"ann","version":2}
            """;
        Http.AssertSameJson(expected, await response.ReadJsonAsync());
        Http.AssertSameJson(expected, await project.Ann.GetJsonAsync($"{Views}/{id}"));
    }

    [Fact]
    public async Task Put_WithAFilterThatDoesNotCompile_Is400AndLeavesTheViewAsItWas()
    {
        var id = await CreateAsync(project.Ann, View("Mine", "priority == 1"));
        var before = await project.Ann.GetTextAsync($"{Views}/{id}");

        using var response = await project.Ann.PutJsonAsync($"{Views}/{id}", View("Mine", "priority == 1 and"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("filter: line 1, column 18: expected a value after 'and'", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(before, await project.Ann.GetTextAsync($"{Views}/{id}"));
    }

    [Fact]
    public async Task Delete_RemovesTheView()
    {
        var id = await CreateAsync(project.Ann, View("Mine", "priority == 1"));

        using var response = await project.Ann.DeleteAsync($"{Views}/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await project.Ann.GetAsync($"{Views}/{id}")).StatusCode);
        Assert.Equal(0, await StoredViewsAsync());
    }

    [Fact]
    public async Task APrivateView_DoesNotExistForAnyoneButItsOwner()
    {
        var id = await CreateAsync(project.Ann, View("Ann's", "priority == 1"));
        var before = await project.Ann.GetTextAsync($"{Views}/{id}");

        foreach (var other in new[] { project.Bob, project.Lead, project.Admin })
        {
            Assert.Empty((await other.GetJsonAsync(Views)).AsArray());
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{Views}/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{Views}/{id}/items")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.PutJsonAsync($"{Views}/{id}", View("Taken", "priority == 2"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"{Views}/{id}")).StatusCode);
        }
        Assert.Equal(before, await project.Ann.GetTextAsync($"{Views}/{id}"));
    }

    [Fact]
    public async Task APublicView_IsSeenByEveryMember_ButWrittenOnlyWithProjectAdmin()
    {
        var id = await CreateAsync(project.Lead, View("Team queue", "status == \"New\"", isPublic: true));
        var before = await project.Lead.GetTextAsync($"{Views}/{id}");

        Assert.Equal([id], (await project.Ann.GetJsonAsync(Views)).AsArray().Select(v => (long)v!["id"]!));
        Assert.Equal("lead", (string)(await project.Ann.GetJsonAsync($"{Views}/{id}"))["owner"]!);
        Assert.Equal(0, (int)(await project.Ann.GetJsonAsync($"{Views}/{id}/items"))["total"]!);

        using (var put = await project.Ann.PutJsonAsync($"{Views}/{id}", View("Ann's queue", "status == \"Open\"")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
            Assert.Contains("project.admin", (string)(await put.ReadJsonAsync())["detail"]!);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await project.Ann.PutJsonAsync($"{Views}/{id}", View("Ann's queue", "status == \"Open\"", isPublic: false))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await project.Ann.DeleteAsync($"{Views}/{id}")).StatusCode);
        Assert.Equal(before, await project.Lead.GetTextAsync($"{Views}/{id}"));

        using var byAdmin = await project.Admin.PutJsonAsync($"{Views}/{id}", View("Team queue", "status == \"Open\""));
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.True((bool)(await byAdmin.ReadJsonAsync())["public"]!);
    }

    [Fact]
    public async Task Create_APublicViewWithoutProjectAdmin_Is403AndStoresNothing()
    {
        using var response = await project.Ann.PostJsonAsync(Views, View("Team queue", "status == \"New\"", isPublic: true));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await StoredViewsAsync());
    }

    [Fact]
    public async Task Put_MakingOnesOwnPrivateViewPublicWithoutProjectAdmin_Is403AndChangesNothing()
    {
        var id = await CreateAsync(project.Ann, View("Mine", "priority == 1"));
        var before = await project.Ann.GetTextAsync($"{Views}/{id}");

        using var response = await project.Ann.PutJsonAsync($"{Views}/{id}", View("Mine", "priority == 1", isPublic: true));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await project.Ann.GetTextAsync($"{Views}/{id}"));
        Assert.Empty((await project.Bob.GetJsonAsync(Views)).AsArray());
    }

    [Fact]
    public async Task List_ShowsPublicViewsAndOnesOwn_ByName_AndFiltersByTracker()
    {
        var zeta = await CreateAsync(project.Lead, View("Zeta", "priority == 1", isPublic: true));
        var alpha = await CreateAsync(project.Ann, View("Alpha", "priority == 2"));
        await CreateAsync(project.Bob, View("Bob's", "priority == 3"));
        var bugs = await CreateAsync(project.Ann, View("Bugs", "status == \"Fixed\"", tracker: "BUG"));

        Assert.Equal([alpha, bugs, zeta], (await project.Ann.GetJsonAsync(Views)).AsArray().Select(v => (long)v!["id"]!));
        Assert.Equal([bugs], (await project.Ann.GetJsonAsync($"{Views}?tracker=BUG")).AsArray().Select(v => (long)v!["id"]!));
    }

    [Fact]
    public async Task EveryViewsEndpoint_WithoutToken_Is401AndChangesNothing()
    {
        var id = await CreateAsync(project.Ann, View("Mine", "priority == 1"));
        var before = await project.Ann.GetTextAsync($"{Views}/{id}");

        foreach (var response in new[]
        {
            await project.Anonymous.GetAsync(Views),
            await project.Anonymous.PostJsonAsync(Views, View("Anon", "priority == 1")),
            await project.Anonymous.GetAsync($"{Views}/{id}"),
            await project.Anonymous.PutJsonAsync($"{Views}/{id}", View("Anon", "priority == 2")),
            await project.Anonymous.DeleteAsync($"{Views}/{id}"),
            await project.Anonymous.GetAsync($"{Views}/{id}/items"),
            await project.Anonymous.GetAsync("/api/v1/projects/LST/items?tracker=INC"),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Equal(1, await StoredViewsAsync());
        Assert.Equal(before, await project.Ann.GetTextAsync($"{Views}/{id}"));
    }

    [Fact]
    public async Task EveryViewsEndpoint_ForANonMember_Is403AndChangesNothing()
    {
        var id = await CreateAsync(project.Lead, View("Team queue", "priority == 1", isPublic: true));
        var before = await project.Lead.GetTextAsync($"{Views}/{id}");

        foreach (var response in new[]
        {
            await project.Eve.GetAsync(Views),
            await project.Eve.PostJsonAsync(Views, View("Eve's", "priority == 1")),
            await project.Eve.GetAsync($"{Views}/{id}"),
            await project.Eve.PutJsonAsync($"{Views}/{id}", View("Eve's", "priority == 2")),
            await project.Eve.DeleteAsync($"{Views}/{id}"),
            await project.Eve.GetAsync($"{Views}/{id}/items"),
            await project.Eve.GetAsync("/api/v1/projects/LST/items?tracker=INC&filter=priority%20%3D%3D%201"),
        })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        Assert.Equal(1, await StoredViewsAsync());
        Assert.Equal(before, await project.Lead.GetTextAsync($"{Views}/{id}"));
    }

    [Fact]
    public async Task Views_OfAnUnknownProject_Are404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await project.Admin.GetAsync("/api/v1/projects/NOPE/views")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await project.Admin.PostJsonAsync("/api/v1/projects/NOPE/views", View("x", "priority == 1"))).StatusCode);
    }
}

public sealed class ViewsOpenApiTests
{
    [Fact]
    public async Task TheOpenApiDocument_DescribesExpressionsViewsAndListings()
    {
        await using var server = await RunningServer.StartAsync();

        var paths = (await server.Anonymous.GetJsonAsync("/openapi/v1.json"))["paths"]!.AsObject();

        Assert.NotNull(paths["/api/v1/expressions/check"]?["post"]);
        Assert.NotNull(paths["/api/v1/projects/{key}/views"]?["post"]);
        Assert.NotNull(paths["/api/v1/projects/{key}/views/{id}"]?["put"]);
        Assert.NotNull(paths["/api/v1/projects/{key}/views/{id}/items"]?["get"]);
        var listing = paths["/api/v1/projects/{key}/items"]?["get"]?["parameters"]?.AsArray().Select(p => (string)p!["name"]!).ToList();
        Assert.Equal(["key", "tracker", "filter", "sort", "page", "pageSize"], listing);
    }
}
