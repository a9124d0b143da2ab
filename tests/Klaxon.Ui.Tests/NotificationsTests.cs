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
}
