using System.Net;

namespace Klaxon.Tests;

public sealed class DashboardTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session);
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task Dashboard_ChartsOpenItemsBySeverity_FiredEscalations_TheShareOnTime_AndTheNext24Hours()
    {
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Payment fails","priority":1,"severity":1}""");
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Slow reports","priority":3,"severity":1}""");
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Login loops","priority":2,"severity":2}""");
        var closed = await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Duplicate","priority":4,"severity":3}""");
        await Users.ExpectAsync(HttpStatusCode.OK, session.Server.Client.PostJsonAsync($"/api/v1/items/{closed}/transitions", """{"transition":"Close"}"""));
        // The two urgent items escalate at 15:00, on time; then an urgent item without severity is due at 16:00.
        await session.AdvanceClockAsync("2026-03-27T15:00:00Z");
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Mail queue stuck","priority":1}""");

        var page = await session.SignInAsync("pat");
        await page.GotoAsync("/projects/SUP/dashboard");

        var severity = await page.Locator("#chart-severity svg rect title").AllTextContentsAsync();
        Assert.Equal(["Severity 1: 2", "Severity 2: 1", "Severity 3: 0", "None: 1"], severity);
        Assert.Contains("2026-03-27: 2", await page.Locator("#chart-fired svg rect title").AllTextContentsAsync());
        Assert.Equal(30, await page.Locator("#chart-fired svg rect").CountAsync());
        Assert.Contains("100%", await page.TextContentAsync("#chart-on-time svg"));
        Assert.Contains("2 of 2 on time", await page.TextContentAsync("#chart-on-time svg"));
        var next = await page.Locator("#chart-next svg rect title").AllTextContentsAsync();
        Assert.Equal(24, next.Count);
        Assert.EndsWith(": 1", next[1]);
        Assert.Equal(1, next.Sum(t => int.Parse(t[(t.LastIndexOf(' ') + 1)..])));
        await BrowserSession.ScreenshotAsync(page, "dashboard");

        var sue = await session.SignInAsync("sue");
        await sue.GotoAsync("/projects/SUP/dashboard");
        Assert.Equal(1, await sue.Locator("#chart-severity svg").CountAsync());
        Assert.Equal(0, await sue.Locator("#chart-fired").CountAsync());
    }
}
