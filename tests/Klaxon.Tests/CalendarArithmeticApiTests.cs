using System.Net;

namespace Klaxon.Tests;

/// <summary>
/// Working-time answers over HTTP, against hand-computed values. Berlin is Monday–Friday 09:00–17:00 (inherited
/// from the system calendar) in Europe/Berlin; summer time starts on Sunday 2026-03-29 (+01:00 → +02:00) and
/// ends on Sunday 2026-10-25.
/// </summary>
public sealed class CalendarArithmeticApiTests : IAsyncLifetime
{
    private RunningServer server = null!;

    private HttpClient Client => server.Client;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await Client.CreateAsync(Calendars.Berlin);
        await Client.CreateAsync(Calendars.NightShift);
        await Client.CreateAsync(Calendars.Emea);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    // Friday 15:00 + 4 h: two hours on Friday, two on Monday, which is already in summer time.
    [InlineData("2026-03-27T15:00:00%2B01:00", "PT4H", "2026-03-30T09:00:00Z", "2026-03-30T11:00:00")]
    [InlineData("2026-03-27T14:00:00Z", "PT4H", "2026-03-30T09:00:00Z", "2026-03-30T11:00:00")]
    // An unescaped '+' arrives as a space and is still understood.
    [InlineData("2026-03-27T15:00:00+01:00", "PT4H", "2026-03-30T09:00:00Z", "2026-03-30T11:00:00")]
    // A sum that ends exactly at the end of the day's hours returns that end, not Monday 09:00.
    [InlineData("2026-03-27T15:00:00Z", "PT1H", "2026-03-27T16:00:00Z", "2026-03-27T17:00:00")]
    // Backwards from Monday 11:00 summer time to Friday 15:00 winter time.
    [InlineData("2026-03-30T09:00:00Z", "-PT4H", "2026-03-27T14:00:00Z", "2026-03-27T15:00:00")]
    // From a weekend, the first working hour starts on Monday.
    [InlineData("2026-03-28T12:00:00Z", "PT30M", "2026-03-30T07:30:00Z", "2026-03-30T09:30:00")]
    [InlineData("2026-03-27T14:00:00Z", "PT0S", "2026-03-27T14:00:00Z", "2026-03-27T15:00:00")]
    // 40 hours are one working week.
    [InlineData("2026-03-27T14:00:00Z", "PT40H", "2026-04-03T13:00:00Z", "2026-04-03T15:00:00")]
    // A day is 24 hours of working time: Friday 2 h, Monday 8 h, Tuesday 8 h, Wednesday 6 h.
    [InlineData("2026-03-27T14:00:00Z", "P1D", "2026-04-01T13:00:00Z", "2026-04-01T15:00:00")]
    public async Task Add_Duration_ReturnsHandComputedInstant(string from, string duration, string result, string local)
    {
        var answer = await Client.GetJsonAsync($"/api/v1/calendars/berlin/add?from={from}&duration={duration}");

        Http.AssertSameJson($$"""{"result":"{{result}}","localResult":"{{local}}","timeZone":"Europe/Berlin"}""", answer);
    }

    [Theory]
    // Friday 15:00 + 1 working day = Monday 15:00 (summer time).
    [InlineData("2026-03-27T14:00:00Z", "1", "2026-03-30T13:00:00Z")]
    // Friday 18:00 is past the hours: Monday's last working instant, 17:00.
    [InlineData("2026-03-27T17:00:00Z", "1", "2026-03-30T15:00:00Z")]
    [InlineData("2026-03-30T13:00:00Z", "-1", "2026-03-27T14:00:00Z")]
    [InlineData("2026-03-27T14:00:00Z", "5", "2026-04-03T13:00:00Z")]
    public async Task Add_WorkingDays_ReturnsSameLocalTimeOnTheNthWorkingDay(string from, string days, string result)
    {
        var answer = await Client.GetJsonAsync($"/api/v1/calendars/berlin/add?from={from}&days={days}");

        Assert.Equal(result, (string)answer["result"]!);
    }

    [Theory]
    [InlineData("berlin", "2026-03-27T14:00:00Z", "2026-03-30T09:00:00Z", 14400, "PT4H")]
    [InlineData("berlin", "2026-03-30T09:00:00Z", "2026-03-27T14:00:00Z", -14400, "-PT4H")]
    [InlineData("berlin", "2026-03-27T11:30:00Z", "2026-03-27T16:00:00Z", 16200, "PT4H30M")]
    [InlineData("berlin", "2026-03-23T00:00:00Z", "2026-03-30T00:00:00Z", 144000, "PT40H")]
    [InlineData("berlin", "2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z", 0, "PT0S")]
    // 01:00–04:00 on the spring-forward night holds 2 real hours, on the fall-back night 4.
    [InlineData("night", "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z", 7200, "PT2H")]
    [InlineData("night", "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z", 14400, "PT4H")]
    [InlineData("night", "2026-04-04T00:00:00Z", "2026-04-06T00:00:00Z", 10800, "PT3H")]
    public async Task Between_ReturnsHandComputedWorkingTime(string calendar, string from, string to, long seconds, string duration)
    {
        var answer = await Client.GetJsonAsync($"/api/v1/calendars/{calendar}/between?from={from}&to={to}");

        Http.AssertSameJson($$"""{"seconds":{{seconds}},"duration":"{{duration}}"}""", answer);
    }

    [Fact]
    public async Task Intervals_AcrossTheDstChange_KeepLocalHours()
    {
        var answer = await Client.GetJsonAsync("/api/v1/calendars/berlin/intervals?from=2026-03-27T00:00:00Z&to=2026-03-31T00:00:00Z");

        Http.AssertSameJson("""
            {"timeZone":"Europe/Berlin","intervals":[
              {"start":"2026-03-27T08:00:00Z","end":"2026-03-27T16:00:00Z","localStart":"2026-03-27T09:00:00","localEnd":"2026-03-27T17:00:00"},
              {"start":"2026-03-30T07:00:00Z","end":"2026-03-30T15:00:00Z","localStart":"2026-03-30T09:00:00","localEnd":"2026-03-30T17:00:00"}]}
            """, answer);
    }

    [Fact]
    public async Task Intervals_OnTheSpringForwardNight_AreTwoRealHours()
    {
        var answer = await Client.GetJsonAsync("/api/v1/calendars/night/intervals?from=2026-03-28T00:00:00Z&to=2026-03-30T00:00:00Z");

        Http.AssertSameJson("""
            {"timeZone":"Europe/Berlin","intervals":[
              {"start":"2026-03-29T00:00:00Z","end":"2026-03-29T02:00:00Z","localStart":"2026-03-29T01:00:00","localEnd":"2026-03-29T04:00:00"}]}
            """, answer);
    }

    [Fact]
    public async Task Intervals_AreClippedToTheSpan()
    {
        var answer = await Client.GetJsonAsync("/api/v1/calendars/berlin/intervals?from=2026-03-27T14:00:00Z&to=2026-03-27T15:30:00Z");

        Http.AssertSameJson("""
            {"timeZone":"Europe/Berlin","intervals":[
              {"start":"2026-03-27T14:00:00Z","end":"2026-03-27T15:30:00Z","localStart":"2026-03-27T15:00:00","localEnd":"2026-03-27T16:30:00"}]}
            """, answer);
    }

    [Fact]
    public async Task Days_ShowEachDatesHoursRuleAndSource()
    {
        var answer = await Client.GetJsonAsync("/api/v1/calendars/emea/days?from=2026-12-23&to=2026-12-26");

        Http.AssertSameJson("""
            {"timeZone":"Europe/Berlin","days":[
              {"date":"2026-12-23","weekday":"Wednesday","hours":"09:00-17:00","working":true,"rule":"weekly","calendar":"system"},
              {"date":"2026-12-24","weekday":"Thursday","hours":"09:00-13:00","working":true,"rule":"shortened","calendar":"emea","name":"Christmas Eve"},
              {"date":"2026-12-25","weekday":"Friday","hours":"09:00-17:00","working":true,"rule":"weekly","calendar":"system"},
              {"date":"2026-12-26","weekday":"Saturday","hours":"","working":false,"rule":"weekly"}]}
            """, answer);
    }

    [Theory]
    [InlineData("1985-06-17", "", "holiday", "emea", "German Unity Day")]
    [InlineData("1991-06-17", "09:00-17:00", "weekly", "system", null)]
    [InlineData("2009-07-04", "09:00-12:00", "weekly", "emea", null)]
    [InlineData("2010-07-03", "", "weekly", null, null)]
    [InlineData("2009-08-02", "10:00-16:00", "workday", "emea", "Sale")]
    // Christmas Eve on a Saturday is not a working day, so the shortened hours do not apply.
    [InlineData("2022-12-24", "", "shortened", "emea", "Christmas Eve")]
    public async Task Days_FollowThePrecedenceRules(string date, string hours, string rule, string? calendar, string? name)
    {
        var answer = await Client.GetJsonAsync($"/api/v1/calendars/emea/days?from={date}&to={date}");

        var day = answer["days"]![0]!;
        Assert.Equal(hours, (string)day["hours"]!);
        Assert.Equal(rule, (string)day["rule"]!);
        Assert.Equal(calendar, (string?)day["calendar"]);
        Assert.Equal(name, (string?)day["name"]);
    }

    [Fact]
    public async Task ChangingTheParent_ChangesTheChildsAnswers()
    {
        await Client.CreateAsync("""{"id":"team","name":"Team","parent":"system"}""");
        const string monday = "/api/v1/calendars/team/between?from=2026-03-30T00:00:00Z&to=2026-03-31T00:00:00Z";
        Assert.Equal(28800, (long)(await Client.GetJsonAsync(monday))["seconds"]!);

        using var changed = await Client.PutJsonAsync("/api/v1/calendars/system", """
            {"id":"system","name":"System calendar","timeZone":"UTC","weeklyHours":[
              {"weekday":"Monday","hours":"09:00-12:00"},{"weekday":"Tuesday","hours":"09:00-17:00"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(10800, (long)(await Client.GetJsonAsync(monday))["seconds"]!);
        Assert.Equal("2026-03-31T10:00:00Z", (string)(await Client.GetJsonAsync("/api/v1/calendars/team/add?from=2026-03-30T09:00:00Z&duration=PT4H"))["result"]!);
    }

    [Theory]
    [InlineData("add?duration=PT1H", "from", "is required")]
    [InlineData("add?from=yesterday&duration=PT1H", "from", "'yesterday' is not an instant")]
    [InlineData("add?from=2026-03-27T15:00:00&duration=PT1H", "from", "has no offset")]
    [InlineData("add?from=2026-03-27T14:00:00Z&duration=P1M", "duration", "years or months")]
    [InlineData("add?from=2026-03-27T14:00:00Z&duration=4h", "duration", "'4h' is not an ISO-8601 duration")]
    [InlineData("add?from=2026-03-27T14:00:00Z&duration=PT99999999H", "duration", "longer than the limit")]
    [InlineData("add?from=2026-03-27T14:00:00Z", "duration", "give exactly one of 'duration'")]
    [InlineData("add?from=2026-03-27T14:00:00Z&duration=PT1H&days=1", "duration", "give exactly one of 'duration'")]
    [InlineData("add?from=2026-03-27T14:00:00Z&days=one", "days", "'one' is not a whole number")]
    [InlineData("between?from=2026-03-27T14:00:00Z", "to", "is required")]
    [InlineData("between?from=2026-03-27T14:00:00Z&to=2026-13-01T00:00:00Z", "to", "is not an instant")]
    [InlineData("intervals?from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z", "to", "ask for at most 366 days")]
    [InlineData("intervals?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to", "is before 'from'")]
    [InlineData("days?from=2026-02-30&to=2026-03-01", "from", "'2026-02-30' is not a date that exists")]
    [InlineData("days?from=2026-01-01&to=2027-01-02", "to", "ask for at most 366 days")]
    [InlineData("between?from=9999-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from", "outside the years 0001 to 9000")]
    public async Task BadQueryValue_Is400NamingTheParameter(string question, string parameter, string message)
    {
        using var response = await Client.GetAsync($"/api/v1/calendars/berlin/{question}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains($"{parameter}: ", (string)problem["detail"]!);
        Assert.Contains(message, (string)problem["detail"]!);
        Assert.Contains(message, (string)problem["errors"]![parameter]![0]!);
    }

    [Theory]
    [InlineData("add?from=2026-03-27T14:00:00Z&duration=PT1H")]
    [InlineData("between?from=2026-03-27T14:00:00Z&to=2026-03-28T14:00:00Z")]
    [InlineData("intervals?from=2026-03-27T14:00:00Z&to=2026-03-28T14:00:00Z")]
    [InlineData("days?from=2026-03-27&to=2026-03-28")]
    public async Task UnknownCalendar_Is404(string question)
    {
        using var response = await Client.GetAsync($"/api/v1/calendars/nope/{question}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("There is no calendar 'nope'.", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task AnAnswerBeyondTheEndOfTime_Is422()
    {
        // One working morning a year: 10,000 hours would take 3,333 years, past the last year calendars cover.
        await Client.CreateAsync("""{"id":"yearly","name":"Once a year","timeZone":"UTC","specialDays":[{"name":"Only day","yearly":"12-24","kind":"workday","hours":"09:00-12:00"}]}""");

        using var response = await Client.GetAsync("/api/v1/calendars/yearly/add?from=8990-01-01T00:00:00Z&duration=PT10000H");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("has no working time between", (string)(await response.ReadJsonAsync())["detail"]!);
    }
}
