using System.Net;
using NodaTime;

namespace Klaxon.Tests;

public sealed class ClockApiTests
{
    [Fact]
    public async Task ManualClock_StartsAtItsInstant()
    {
        await using var server = await RunningServer.StartAsync();

        var clock = await server.Client.GetJsonAsync("/api/v1/clock");

        Http.AssertSameJson("""{"now":"2026-03-27T14:00:00Z","manual":true}""", clock);
    }

    [Theory]
    [InlineData("""{"by":"PT2H"}""", "2026-03-27T16:00:00Z")]
    [InlineData("""{"by":"P3D"}""", "2026-03-30T14:00:00Z")]
    [InlineData("""{"by":"PT0S"}""", "2026-03-27T14:00:00Z")]
    [InlineData("""{"to":"2026-03-30T11:00:00+02:00"}""", "2026-03-30T09:00:00Z")]
    public async Task Advance_MovesTheClock(string body, string now)
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.Client.PostJsonAsync("/api/v1/clock/advance", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(now, (string)(await response.ReadJsonAsync())["now"]!);
        Assert.Equal(now, (string)(await server.Client.GetJsonAsync("/api/v1/clock"))["now"]!);
    }

    [Fact]
    public async Task Advance_Twice_Accumulates()
    {
        await using var server = await RunningServer.StartAsync();

        await server.Client.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT2H"}""");
        await server.Client.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT30M"}""");

        Assert.Equal("2026-03-27T16:30:00Z", (string)(await server.Client.GetJsonAsync("/api/v1/clock"))["now"]!);
    }

    [Theory]
    [InlineData("""{"to":"2026-03-27T13:00:00Z"}""", "to", "the clock never goes back")]
    [InlineData("""{"by":"-PT1H"}""", "by", "the clock never goes back")]
    [InlineData("""{"by":"P1M"}""", "by", "years or months")]
    [InlineData("""{"to":"tomorrow"}""", "to", "'tomorrow' is not an instant")]
    [InlineData("""{}""", "to", "give exactly one of 'to'")]
    [InlineData("""{"to":"2026-03-28T00:00:00Z","by":"PT1H"}""", "to", "give exactly one of 'to'")]
    [InlineData("""{"by":5}""", "by", "expected a string")]
    public async Task Advance_BadBody_Is400AndLeavesTheClock(string body, string field, string message)
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.Client.PostJsonAsync("/api/v1/clock/advance", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.StartsWith($"{field}: ", (string)problem["detail"]!);
        Assert.Contains(message, (string)problem["detail"]!);
        Assert.Equal("2026-03-27T14:00:00Z", (string)(await server.Client.GetJsonAsync("/api/v1/clock"))["now"]!);
    }

    [Fact]
    public async Task Advance_NeedsTheToken()
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.Anonymous.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT2H"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("2026-03-27T14:00:00Z", (string)(await server.Client.GetJsonAsync("/api/v1/clock"))["now"]!);
    }

    [Fact]
    public async Task RealClock_HasNoAdvanceEndpoint()
    {
        await using var server = await RunningServer.StartAsync(manualClock: false);

        using var response = await server.Client.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT2H"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task RealClock_TellsTheRealTime()
    {
        await using var server = await RunningServer.StartAsync(manualClock: false);
        var before = SystemClock.Instance.GetCurrentInstant();

        var clock = await server.Client.GetJsonAsync("/api/v1/clock");

        var now = NodaTime.Text.InstantPattern.ExtendedIso.Parse((string)clock["now"]!).Value;
        Assert.False((bool)clock["manual"]!);
        Assert.InRange(now, before - Duration.FromSeconds(1), SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(1));
    }
}
