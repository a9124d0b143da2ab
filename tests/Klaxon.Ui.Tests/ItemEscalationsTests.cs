using Microsoft.Playwright;

namespace Klaxon.Tests;

public sealed class ItemEscalationsTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session);
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task SignInCreateItem_EscalationsTabShowsThePendingRule_ThenItFiresWhenTheClockPassesItsDue()
    {
        var page = await session.SignInAsync("pat");
        await page.GetByRole(AriaRole.Link, new() { Name = "SUP", Exact = true }).ClickAsync();
        await page.ClickAsync("#new-item summary");
        await page.SelectOptionAsync("#new-tracker", "INC");
        await page.FillAsync("#new-summary", "Checkout page returns 500");
        await page.FillAsync("#new-priority", "1");
        await page.ClickAsync("#new-item button[type=submit]");

        await page.WaitForURLAsync("**/items/INC-1");
        Assert.Equal("New", await page.TextContentAsync("[data-field=status]"));
        await page.ClickAsync("[data-tab=escalations]");
        await page.WaitForURLAsync("**/items/INC-1/escalations");
        var rule = page.Locator("li[data-rule='Verify within the limit']");
        Assert.Equal("pending", await rule.GetAttributeAsync("data-status"));
        // Priority 1: due one working hour after 14:00 UTC on the system calendar, 16:00 in the viewer's Berlin time.
        Assert.Contains("Fri 27 Mar 2026, 15:00", await rule.TextContentAsync());
        Assert.Contains("1h of working time left", Normalize(await rule.TextContentAsync()));
        Assert.Contains("16:00", await rule.Locator("time").First.TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "item-escalations-pending");

        await session.AdvanceClockAsync("2026-03-27T15:00:00Z");
        await page.ReloadAsync();

        Assert.Equal("fired", await rule.GetAttributeAsync("data-status"));
        var outcomes = await rule.Locator(".outcomes li").AllTextContentsAsync();
        Assert.Contains(outcomes, o => o.Contains("Unconfirmed", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.Contains("pat", StringComparison.Ordinal));

        await page.FillAsync("#reminder-at", "2026-03-30T09:00");
        await page.SelectOptionAsync("#reminder-zone", "utc");
        await page.FillAsync("#reminder-note", "Call the customer back");
        await page.ClickAsync("text=Add reminder >> nth=-1");
        await page.WaitForURLAsync("**/escalations?added=true");
        var reminder = page.Locator("li[data-rule='Reminder']");
        Assert.Equal("pending", await reminder.GetAttributeAsync("data-status"));
        Assert.Contains("Call the customer back", await reminder.TextContentAsync());
        Assert.Contains("Mon 30 Mar 2026, 09:00 UTC", await reminder.TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "item-escalations-fired");
        await page.ClickAsync("text=Details");
        Assert.Equal("Unconfirmed", await page.TextContentAsync("[data-field=status]"));
        var other = await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Payment provider timeouts","priority":3}""");
        await page.FillAsync("#link-type", "relates-to");
        await page.FillAsync("#link-target", other);
        await page.ClickAsync("#add-link button");
        await page.WaitForURLAsync("**/items/INC-1?linked=*");
        Assert.Contains("Payment provider timeouts", await page.TextContentAsync("#links-h + ul"));
        await BrowserSession.ScreenshotAsync(page, "item-details");
    }

    private static string Normalize(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
