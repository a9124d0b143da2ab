namespace Klaxon.Tests;

public sealed class FilterTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session);
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Payment fails","priority":1}""");
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Typo on the help page","priority":4}""");
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Slow search","priority":3}""");
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task ABrokenFilter_ShowsItsPositionedError_AndAGoodOneFiltersAndSorts()
    {
        var page = await session.SignInAsync("pat");
        await page.GotoAsync("/projects/SUP");
        Assert.Equal(3, await page.Locator("table[aria-label=Items] tbody tr").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "items");

        await page.SelectOptionAsync("#tracker", "INC");
        await page.FillAsync("#filter", "priority <= and status == \"New\"");
        // Checked as it is typed, before anything is submitted.
        await page.WaitForSelectorAsync("#filter-check.invalid");
        Assert.Contains("column 13", await page.TextContentAsync("#filter-check"));
        await page.PressAsync("#filter", "Enter");
        await page.WaitForURLAsync(url => url.Contains("filter=priority+%3C%3D+and", StringComparison.Ordinal) || url.Contains("filter=priority%20%3C%3D%20and", StringComparison.Ordinal));

        var error = await page.TextContentAsync("[data-filter-error]");
        Assert.Contains("line 1, column 13", error);
        Assert.Contains("^", error);
        Assert.Equal(0, await page.Locator("table[aria-label=Items]").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "items-filter-error");

        await page.FillAsync("#filter", "priority <= 3");
        await page.WaitForSelectorAsync("#filter-check.valid");
        await page.PressAsync("#filter", "Enter");
        await page.WaitForURLAsync(url => url.Contains("filter=priority+%3C%3D+3", StringComparison.Ordinal) || url.Contains("filter=priority%20%3C%3D%203", StringComparison.Ordinal));
        await page.ClickAsync("th >> text=Priority");
        var summaries = await page.Locator("table[aria-label=Items] tbody tr td:nth-child(2)").AllTextContentsAsync();
        Assert.Equal(["Payment fails", "Slow search"], summaries);
        await page.ClickAsync("th >> text=Priority");
        summaries = await page.Locator("table[aria-label=Items] tbody tr td:nth-child(2)").AllTextContentsAsync();
        Assert.Equal(["Slow search", "Payment fails"], summaries);
    }
}
