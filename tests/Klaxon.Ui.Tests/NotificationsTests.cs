namespace Klaxon.Tests;

public sealed class NotificationsTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session);
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task AFiredEscalation_ShowsInTheAdminsNotifications_AndInTheProjectOutbox()
    {
        var item = await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Checkout down","priority":1}""");
        await session.AdvanceClockAsync("2026-03-27T15:00:00Z");

        var page = await session.SignInAsync("pat");
        await page.ClickAsync("text=My notifications");
        await page.WaitForURLAsync("**/notifications");
        var row = page.Locator("#my-notifications tbody tr[data-notification]").First;
        Assert.Contains(item, await row.TextContentAsync());
        Assert.Equal("false", await row.GetAttributeAsync("data-read"));
        await BrowserSession.ScreenshotAsync(page, "my-notifications");
        await row.Locator("text=Mark read").ClickAsync();
        await page.WaitForURLAsync("**/notifications");
        Assert.Equal("true", await page.Locator("#my-notifications tbody tr[data-notification]").First.GetAttributeAsync("data-read"));

        await page.GotoAsync("/projects/SUP/notifications");
        var outbox = await page.Locator("#outbox tbody tr[data-notification]").AllTextContentsAsync();
        Assert.Contains(outbox, r => r.Contains("pat", StringComparison.Ordinal) && r.Contains(item, StringComparison.Ordinal));
        await BrowserSession.ScreenshotAsync(page, "outbox");

        var sue = await session.SignInAsync("sue");
        var refused = await sue.GotoAsync("/projects/SUP/notifications");
        Assert.Equal(403, refused!.Status);
    }

    [Fact]
    public async Task ATransitionRunOnTheItemPage_IsInTheSubmittersNotifications_NotInTheOneWhoRanIt()
    {
        var token = (string)(await Users.ExpectAsync(System.Net.HttpStatusCode.Created, session.Server.Client.PostJsonAsync("/api/v1/users/sue/tokens", "{}")))["token"]!;
        var sueApi = session.Server.ClientFor(token);
        var item = (string)(await Users.ExpectAsync(System.Net.HttpStatusCode.Created,
            sueApi.PostJsonAsync($"/api/v1/projects/{BrowserDesk.Key}/items", """{"tracker":"INC","summary":"Printer offline","priority":3}""")))["key"]!;

        var pat = await session.SignInAsync("pat");
        await pat.GotoAsync($"/items/{item}");
        await pat.ClickAsync("button:has-text('Start → In Progress')");
        await pat.WaitForURLAsync($"**/items/{item}?done=Start");

        var sue = await session.SignInAsync("sue");
        await sue.GotoAsync("/notifications");
        var row = sue.Locator("#my-notifications tbody tr[data-notification]");
        Assert.Equal(1, await row.CountAsync());
        Assert.Contains($"[{item}] Printer offline — Start: New → In Progress by pat", await row.TextContentAsync());
        Assert.Contains("transition", await row.TextContentAsync());
        await pat.GotoAsync("/notifications");
        Assert.Equal(0, await pat.Locator("#my-notifications tbody tr[data-notification]").CountAsync());
    }
}
