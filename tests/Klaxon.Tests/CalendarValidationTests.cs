using System.Net;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>
/// Every kind of bad calendar is refused with the status, a detail naming the field and what is wrong, and
/// nothing stored: neither as a new calendar (POST) nor as a replacement of an existing one (PUT).
/// </summary>
public sealed class CalendarValidationTests : IAsyncLifetime
{
    private RunningServer server = null!;

    private HttpClient Client => server.Client;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await Client.CreateAsync(Calendars.Emea);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    // The body of calendar 'emea' with one fault; {0} is where the fault goes.
    public static TheoryData<string, string, int, string, string> BadCalendars => new()
    {
        { "unknown time zone", """{"id":"emea","name":"EMEA","timeZone":"Mars/Olympus"}""", 400, "timeZone", "'Mars/Olympus' is not a known IANA time zone" },
        { "hours that do not parse", """{"id":"emea","name":"EMEA","timeZone":"UTC","weeklyHours":[{"weekday":"Monday","hours":"9-17"}]}""", 400, "weeklyHours[0].hours", "'9' in '9-17' is not a time of day" },
        { "end not after start", """{"id":"emea","name":"EMEA","timeZone":"UTC","weeklyHours":[{"weekday":"Monday","hours":"17:00-09:00"}]}""", 400, "weeklyHours[0].hours", "its end must be after its start" },
        { "overlapping intervals", """{"id":"emea","name":"EMEA","timeZone":"UTC","weeklyHours":[{"weekday":"Monday","hours":"09:00-12:00, 11:00-17:00"}]}""", 400, "weeklyHours[0].hours", "'09:00-12:00' and '11:00-17:00' overlap" },
        { "unknown weekday", """{"id":"emea","name":"EMEA","timeZone":"UTC","weeklyHours":[{"weekday":"Funday","hours":"09:00-17:00"}]}""", 400, "weeklyHours[0].weekday", "'Funday' is not a weekday" },
        { "validUntil before validFrom", """{"id":"emea","name":"EMEA","timeZone":"UTC","weeklyHours":[{"weekday":"Monday","hours":"09:00-17:00","validFrom":"2026-05-01","validUntil":"2026-04-01"}]}""", 400, "weeklyHours[0].validUntil", "2026-04-01 is before validFrom 2026-05-01" },
        { "a date that does not exist", """{"id":"emea","name":"EMEA","parent":"system","specialDays":[{"name":"Nope","date":"2026-02-30","kind":"holiday"}]}""", 400, "specialDays[0].date", "'2026-02-30' is not a date that exists" },
        { "fromYear after untilYear", """{"id":"emea","name":"EMEA","parent":"system","specialDays":[{"name":"Old","yearly":"06-17","fromYear":1990,"untilYear":1954,"kind":"holiday"}]}""", 400, "specialDays[0].fromYear", "fromYear 1990 is after untilYear 1954" },
        { "unknown special day kind", """{"id":"emea","name":"EMEA","parent":"system","specialDays":[{"name":"Odd","date":"2026-04-01","kind":"party"}]}""", 400, "specialDays[0].kind", "'party' is not a kind" },
        { "unknown parent", """{"id":"emea","name":"EMEA","parent":"nope"}""", 400, "parent", "there is no calendar 'nope'" },
        { "missing name", """{"id":"emea","timeZone":"UTC","parent":"system"}""", 400, "name", "is required" },
        { "no zone and no parent", """{"id":"emea","name":"EMEA"}""", 400, "timeZone", "is required for a calendar without a parent" },
        { "hours of the wrong JSON type", """{"id":"emea","name":"EMEA","parent":"system","weeklyHours":[{"weekday":"Monday","hours":9}]}""", 400, "weeklyHours[0].hours", "expected a string" },
        { "an unknown property", """{"id":"emea","name":"EMEA","parnet":"system"}""", 400, "parnet", "'parnet' is not a known property" },
        { "malformed JSON", """{"id":"emea","name":"EMEA" "parent":"system"}""", 400, "body", "Expected either ',', '}', or ']'" },
        { "never working", """{"id":"emea","name":"EMEA","timeZone":"UTC"}""", 422, "calendar 'emea'", "has no working time in any 10-year window" },
        { "never working through empty weekly hours", """{"id":"emea","name":"EMEA","parent":"system","weeklyHours":[{"weekday":"Monday","hours":""},{"weekday":"Tuesday","hours":""},{"weekday":"Wednesday","hours":""},{"weekday":"Thursday","hours":""},{"weekday":"Friday","hours":""}]}""", 422, "calendar 'emea'", "has no working time in any 10-year window" },
    };

    [Theory]
    [MemberData(nameof(BadCalendars))]
    public async Task Post_BadCalendar_IsRefusedAndStoresNothing(string fault, string body, int status, string field, string message)
    {
        var newBody = body.Replace("\"emea\"", "\"fresh\"").Replace("calendar 'emea'", "calendar 'fresh'");
        var before = await Client.GetTextAsync("/api/v1/calendars");

        using var response = await Client.PostJsonAsync("/api/v1/calendars", newBody);

        await AssertRefusedAsync(response, status, field.Replace("'emea'", "'fresh'"), message, fault);
        Assert.Equal(before, await Client.GetTextAsync("/api/v1/calendars"));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/calendars/fresh")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadCalendars))]
    public async Task Put_BadReplacement_IsRefusedAndKeepsTheCalendar(string fault, string body, int status, string field, string message)
    {
        var before = await Client.GetTextAsync("/api/v1/calendars/emea");

        using var response = await Client.PutJsonAsync("/api/v1/calendars/emea", body);

        await AssertRefusedAsync(response, status, field, message, fault);
        Assert.Equal(before, await Client.GetTextAsync("/api/v1/calendars/emea"));
        Assert.Equal("\"1\"", (await Client.GetAsync("/api/v1/calendars/emea")).Headers.ETag?.Tag);
    }

    [Theory]
    [InlineData("POST", "/api/v1/calendars")]
    [InlineData("PUT", "/api/v1/calendars/emea")]
    public async Task MissingBody_Is400AndStoresNothing(string method, string path)
    {
        var before = await Client.GetTextAsync("/api/v1/calendars");
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Http.Json("") };

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body is missing", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(before, await Client.GetTextAsync("/api/v1/calendars"));
    }

    [Fact]
    public async Task Body_NotJson_Is415NamingTheContentType()
    {
        using var response = await Client.PostAsync("/api/v1/calendars", new StringContent(Calendars.Berlin));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Type: application/json", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Put_ParentThatMakesACycle_Is400AndKeepsBoth()
    {
        await Client.CreateAsync("""{"id":"a","name":"A","parent":"system"}""");
        await Client.CreateAsync("""{"id":"b","name":"B","parent":"a"}""");
        var before = await Client.GetTextAsync("/api/v1/calendars");

        using var response = await Client.PutJsonAsync("/api/v1/calendars/a", """{"id":"a","name":"A","parent":"b"}""");

        await AssertRefusedAsync(response, 400, "parent", "'b' would make a cycle of parents: a → b → a", "cycle");
        Assert.Equal(before, await Client.GetTextAsync("/api/v1/calendars"));
    }

    [Fact]
    public async Task Put_ParentChangeThatLeavesAChildWithoutWork_Is422NamingTheChild()
    {
        await Client.CreateAsync("""{"id":"p","name":"P","timeZone":"UTC","specialDays":[{"name":"Only day","yearly":"12-24","kind":"workday","hours":"09:00-12:00"}]}""");
        await Client.CreateAsync("""{"id":"c","name":"C","parent":"p","specialDays":[{"name":"Off","yearly":"12-25","kind":"holiday"}]}""");
        var before = await Client.GetTextAsync("/api/v1/calendars");

        using var response = await Client.PutJsonAsync("/api/v1/calendars/p",
            """{"id":"p","name":"P","timeZone":"UTC","specialDays":[{"name":"Only day","yearly":"12-25","kind":"workday","hours":"09:00-12:00"}]}""");

        await AssertRefusedAsync(response, 422, "calendar 'c'", "has no working time in any 10-year window", "child without work");
        Assert.Contains("derives from 'p'", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(before, await Client.GetTextAsync("/api/v1/calendars"));
    }

    [Fact]
    public async Task SeveralFaults_AreAllNamed()
    {
        using var response = await Client.PostJsonAsync("/api/v1/calendars",
            """{"id":"x","timeZone":"Nowhere/Land","weeklyHours":[{"weekday":"Monday","hours":"25:00-26:00"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        Assert.Equal(["name", "timeZone", "weeklyHours[0].hours"], errors.Select(e => e.Key).Order());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int status, string field, string message, string fault)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{fault}: expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        var detail = (string)problem["detail"]!;
        Assert.Contains(field, detail);
        Assert.Contains(message, detail);
        if (status == 400)
            Assert.Contains(message, string.Join(" ", problem["errors"]![field]!.AsArray().Select(m => (string)m!)));
    }
}
