using System.Net;
using System.Net.Http.Headers;

namespace Klaxon.Tests;

public sealed class CalendarsApiTests : IAsyncLifetime
{
    private RunningServer server = null!;

    private HttpClient Client => server.Client;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task EmptyDatabase_HasTheSystemCalendar()
    {
        var list = await Client.GetJsonAsync("/api/v1/calendars");

        Http.AssertSameJson("""
            [{"id":"system","name":"System calendar","timeZone":"UTC","weeklyHours":[
              {"weekday":"Monday","hours":"09:00-17:00"},{"weekday":"Tuesday","hours":"09:00-17:00"},{"weekday":"Wednesday","hours":"09:00-17:00"},
              {"weekday":"Thursday","hours":"09:00-17:00"},{"weekday":"Friday","hours":"09:00-17:00"}],"specialDays":[]}]
            """, list);
    }

    [Fact]
    public async Task Post_ThenGet_ReturnsExactlyTheBodySent()
    {
        using var created = await Client.PostJsonAsync("/api/v1/calendars", Calendars.Emea);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/calendars/emea", created.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        Http.AssertSameJson(Calendars.Emea, await created.ReadJsonAsync());
        Assert.Equal(Calendars.Emea.Trim(), await (await Client.GetAsync("/api/v1/calendars/emea")).Content.ReadAsStringAsync());
        var list = await Client.GetJsonAsync("/api/v1/calendars");
        Assert.Equal(["emea", "system"], list.AsArray().Select(c => (string)c!["id"]!));
    }

    [Fact]
    public async Task Post_ExistingId_Is409AndChangesNothing()
    {
        await Client.CreateAsync(Calendars.Emea);

        using var response = await Client.PostJsonAsync("/api/v1/calendars", Calendars.Emea.Replace("EMEA support", "Other"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("'emea' already exists", (string)(await response.ReadJsonAsync())["detail"]!);
        Http.AssertSameJson(Calendars.Emea, await Client.GetJsonAsync("/api/v1/calendars/emea"));
    }

    [Fact]
    public async Task Get_UnknownCalendar_Is404ProblemDetails()
    {
        using var response = await Client.GetAsync("/api/v1/calendars/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("There is no calendar 'nope'.", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Put_CreatesThenReplaces_WithIdFromTheAddress()
    {
        const string first = """{"name":"Team","parent":"system"}""";
        const string second = """{"id":"team","name":"Team B","parent":"system","specialDays":[{"name":"Offsite","date":"2026-04-01","kind":"holiday"}]}""";

        using var created = await Client.PutJsonAsync("/api/v1/calendars/team", first);
        using var replaced = await Client.PutJsonAsync("/api/v1/calendars/team", second);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Http.AssertSameJson("""{"id":"team","name":"Team","parent":"system","weeklyHours":[],"specialDays":[]}""", await created.ReadJsonAsync());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("\"2\"", replaced.Headers.ETag?.Tag);
        Http.AssertSameJson("""{"id":"team","name":"Team B","parent":"system","weeklyHours":[],"specialDays":[{"name":"Offsite","date":"2026-04-01","kind":"holiday"}]}""",
            await Client.GetJsonAsync("/api/v1/calendars/team"));
    }

    [Fact]
    public async Task Put_IdNotMatchingTheAddress_Is400NamingId()
    {
        using var response = await Client.PutJsonAsync("/api/v1/calendars/team", """{"id":"other","name":"Team","parent":"system"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.StartsWith("id: 'other' does not match the id in the address", (string)problem["detail"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/calendars/team")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/calendars/other")).StatusCode);
    }

    [Fact]
    public async Task Put_WithCurrentIfMatch_Replaces_WithStaleIfMatch_Is412()
    {
        await Client.CreateAsync(Calendars.Berlin);

        using var current = new HttpRequestMessage(HttpMethod.Put, "/api/v1/calendars/berlin") { Content = Http.Json(Calendars.Berlin.Replace("Berlin office", "Berlin HQ")) };
        current.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var accepted = await Client.SendAsync(current);
        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/v1/calendars/berlin") { Content = Http.Json(Calendars.Berlin.Replace("Berlin office", "Berlin old")) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var refused = await Client.SendAsync(stale);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Contains("version 2", (string)(await refused.ReadJsonAsync())["detail"]!);
        Assert.Equal("Berlin HQ", (string)(await Client.GetJsonAsync("/api/v1/calendars/berlin"))["name"]!);
    }

    [Fact]
    public async Task Delete_RemovesTheCalendarAndItsAnswers()
    {
        await Client.CreateAsync(Calendars.Berlin);

        using var deleted = await Client.DeleteAsync("/api/v1/calendars/berlin");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/calendars/berlin")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/calendars/berlin/between?from=2026-03-27T00:00:00Z&to=2026-03-28T00:00:00Z")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync("/api/v1/calendars/berlin")).StatusCode);
    }

    [Fact]
    public async Task Delete_SystemCalendar_Is409()
    {
        using var response = await Client.DeleteAsync("/api/v1/calendars/system");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("system calendar always exists", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/v1/calendars/system")).StatusCode);
    }

    [Fact]
    public async Task Delete_CalendarWithChildren_Is409NamingThem()
    {
        await Client.CreateAsync(Calendars.Berlin);
        await Client.CreateAsync("""{"id":"berlin-support","name":"Berlin support","parent":"berlin"}""");

        using var response = await Client.DeleteAsync("/api/v1/calendars/berlin");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("'berlin-support' derive from it", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/v1/calendars/berlin")).StatusCode);
    }
}
