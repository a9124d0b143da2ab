namespace Klaxon.Tests;

public sealed class GroupEditorTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session, withGroup: false);
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Payment fails","priority":1}""");
        await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Typo on the help page","priority":4}""");
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task PreviewingAGroup_ShowsTheMatchingItemsTheirDuesAndTheMessageCounts_BeforeSaving()
    {
        var page = await session.SignInAsync("pat");
        await page.GotoAsync("/projects/SUP/escalation-groups");
        await page.ClickAsync("text=New escalation group");
        await page.WaitForURLAsync("**/escalation-groups/new");

        await page.FillAsync("#group-name", "Nagging");
        await page.FillAsync("#group-filter", "status in (\"New\", null) and");
        await page.WaitForSelectorAsync("#group-filter-check.invalid");
        Assert.Contains("line 1, column 28", await page.TextContentAsync("#group-filter-check"));
        await page.FillAsync("#group-filter", "status in (\"New\", null)");
        await page.WaitForSelectorAsync("#group-filter-check.valid");

        await page.FillAsync("#rule0-name", "Verify");
        await page.FillAsync("#rule0-anchor", "submittedAt");
        await page.FillAsync("#rule0-limit", "priority == 1 ? 1 : 4");
        await page.WaitForSelectorAsync("#rule0-limit-check.valid");
        await page.CheckAsync("[name='Form.Rules[0].NotifyRoles'][value='Project Admin']");

        await page.ClickAsync("text=Add rule");
        await page.FillAsync("#rule1-name", "Again");
        await page.FillAsync("#rule1-anchor", "afterLastEscalation");
        await page.FillAsync("#rule1-limit", "1");
        await page.SelectOptionAsync("#rule1-basis", "calendar");
        await page.FillAsync("#rule1-users", "sue");

        await PreviewAsync(page);

        // Payment fails: due 15:00 UTC, then hourly until the window ends 7 days later (167 repeats);
        // the typo: due Monday 10:00 UTC, then hourly until Friday 14:00 (100 repeats).
        Assert.Equal("2", await page.TextContentAsync("[data-recipient=pat] td.num"));
        Assert.Equal("267", await page.TextContentAsync("[data-recipient=sue] td.num"));
        Assert.Contains("sue would get 267 messages in 7 days", await page.TextContentAsync(".warning"));
        Assert.Equal("167", await page.TextContentAsync("[data-item='INC-1'][data-level='2'] td.num"));
        // 15:00 UTC, shown in the viewer's Berlin time.
        Assert.Contains("16:00", await page.TextContentAsync("[data-item='INC-1'][data-level='1']"));
        Assert.Equal("[]", (await session.Server.Client.GetJsonAsync("/api/v1/projects/SUP/escalation-groups")).ToJsonString());
        await BrowserSession.ScreenshotAsync(page, "group-preview");

        // The form kept what was typed: a longer interval, then save.
        await page.FillAsync("#rule1-limit", "24");
        await PreviewAsync(page);
        Assert.Equal("10", await page.TextContentAsync("[data-recipient=sue] td.num"));
        Assert.Equal(0, await page.Locator(".warning").CountAsync());
        await page.ClickAsync("#save-button");
        await page.WaitForURLAsync("**/escalation-groups?saved=*");
        Assert.Contains("Nagging", await page.TextContentAsync("table"));
        var stored = await session.Server.Client.GetJsonAsync("/api/v1/projects/SUP/escalation-groups");
        Assert.Equal("24", (string)stored[0]!["group"]!["rules"]![1]!["limit"]!);
        await BrowserSession.ScreenshotAsync(page, "groups");
    }

    private static async Task PreviewAsync(Microsoft.Playwright.IPage page)
    {
        await page.ClickAsync("#preview-button");
        await page.WaitForSelectorAsync("#preview, .errors");
        Assert.Equal("", string.Join(" ", await page.Locator(".errors").AllTextContentsAsync()));
    }
}
