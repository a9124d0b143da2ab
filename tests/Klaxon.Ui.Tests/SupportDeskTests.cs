using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Klaxon.Tests;

/// <summary>
/// The Support desk tab of a project made from the support template (POST /api/v1/projects with "template":"support"):
/// alice (Support Engineer) escalates an incident with a bug report, mia (Engineering Manager) gives the assessment,
/// bob (Engineer) flags a bug for the proactive customer notice, and the notices the rules sent show on the bug.
/// The manual clock starts on Friday 2026-03-27 14:00 UTC (14:00 in London).
/// </summary>
public sealed class SupportDeskTests : IAsyncLifetime
{
    private const string Key = "SUP";

    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        var server = session.Server;
        await Users.ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/projects", $$"""{"key":"{{Key}}","name":"Support","template":"support"}"""));
        await session.CreateMemberAsync(Key, "alice", "Support Engineer");
        await session.CreateMemberAsync(Key, "mia", "Engineering Manager");
        await session.CreateMemberAsync(Key, "bob", "Engineer");
        await session.CreateMemberAsync(Key, "carl", "Customer");
        await session.CreateMemberAsync(Key, "cora", "Customer");
        await server.CreateGroupAsync("customers-Server", "carl", "cora");
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task EscalateWithoutBugReportIsRefused_WithANewBugReportItIsEscalatedAndLinked_ThenTheAssessment()
    {
        var incident = await CreateAsync("""{"tracker":"INC","summary":"Monthly totals count refunds twice","severity":2,"assignedTo":["alice"],"fields":{"customer":"carl","product":"Server"}}""");
        var page = await session.SignInAsync("alice");
        await page.GotoAsync($"/items/{incident}");
        // The item page's disabled transition points to the form that meets its requirement.
        Assert.Contains("Escalate to engineering needs link:bug-report", await page.Locator("div.small:has([data-escalate-link])").TextContentAsync());
        await page.ClickAsync("[data-escalate-link]");
        await page.WaitForURLAsync($"**/items/{incident}/support#escalate");
        Assert.Equal("page", await page.GetAttributeAsync("[data-tab=support]", "aria-current"));
        Assert.Equal("None linked yet.", (await page.TextContentAsync("[data-bug-reports]"))!.Trim());

        // No bug report: the API's refusal, and nothing changed.
        await page.CheckAsync("#bug-existing");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#escalate-form button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(409, refused.Status);
        Assert.Equal($"{incident}: Escalate to engineering requires a link of type 'bug-report'.", (await page.TextContentAsync("#escalate .problem"))!.Trim());
        Assert.Equal("New", (await page.TextContentAsync("h1 .pill"))!.Trim());
        Assert.Equal("New", (string)(await ItemAsync(incident))["status"]!);
        using (var none = await session.Server.Client.GetAsync("/api/v1/items/BUG-1"))
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode); // no bug report was filed
        await BrowserSession.ScreenshotAsync(page, "support-escalate-refused");

        // A new bug report: filed (with the incident's product), linked and the transition run, in one form.
        await page.CheckAsync("#bug-new");
        Assert.Equal("Monthly totals count refunds twice", await page.InputValueAsync("#bug-summary"));
        Assert.Equal("Server", await page.InputValueAsync("#bug-field-product"));
        await page.FillAsync("#bug-summary", "Refund rows joined twice in monthly totals");
        await page.ClickAsync("#escalate-form button[type=submit]");
        await page.WaitForURLAsync($"**/items/{incident}/support?escalated=BUG-1*");
        Assert.Contains("with bug report BUG-1", await page.TextContentAsync("[role=status]"));
        Assert.Equal("Escalated", (await page.TextContentAsync("h1 .pill"))!.Trim());
        var report = (await page.TextContentAsync("[data-bug-reports] li"))!;
        Assert.Contains("BUG-1", report);
        Assert.Contains("Refund rows joined twice in monthly totals", report);
        Assert.Contains("Not open to you from Escalated", await page.TextContentAsync("[data-escalation-closed]"));
        var bug = await ItemAsync("BUG-1");
        Assert.Equal("Server", (string)bug["fields"]!["product"]!);
        Assert.Equal("Open", (string)bug["status"]!);
        var item = await ItemAsync(incident);
        Assert.Equal("Escalated", (string)item["status"]!);
        Assert.Contains(((JsonArray)item["links"]!), l => (string)l!["type"]! == "bug-report" && (string)l["item"]! == "BUG-1");
        var history = (JsonArray)await session.Server.Client.GetJsonAsync($"/api/v1/items/{incident}/history");
        Assert.Contains(history, h => (string?)h!["transition"] == "Escalate to engineering" && (string)h["actor"]! == "alice");
        await BrowserSession.ScreenshotAsync(page, "support-escalated");

        // A second incident of the same problem chooses the existing bug: typing its key picks "Link an existing bug".
        var second = await CreateAsync("""{"tracker":"INC","summary":"Refunds appear twice in the March totals","severity":3,"assignedTo":["alice"],"fields":{"customer":"cora","product":"Server"}}""");
        await page.GotoAsync($"/items/{second}/support");
        Assert.True(await page.IsCheckedAsync("#bug-new"));
        await page.FillAsync("#bug-key", "BUG-1");
        Assert.True(await page.IsCheckedAsync("#bug-existing"));
        await page.ClickAsync("#escalate-form button[type=submit]");
        await page.WaitForURLAsync($"**/items/{second}/support?escalated=BUG-1*");
        Assert.Equal("Escalated", (string)(await ItemAsync(second))["status"]!);
        var reportedBy = ((JsonArray)(await ItemAsync("BUG-1"))["links"]!).Where(l => (string)l!["type"]! == "bug-report").Select(l => (string)l!["item"]!);
        Assert.Equal([incident, second], reportedBy.Order());
        using (var third = await session.Server.Client.GetAsync("/api/v1/items/BUG-2"))
            Assert.Equal(HttpStatusCode.NotFound, third.StatusCode); // no other bug was filed

        // The engineering assessment, with the expected resolution in the project calendar's zone (London, summer time by then).
        var engineering = await session.SignInAsync("mia");
        await engineering.GotoAsync($"/items/{incident}/support");
        await engineering.FillAsync("#assess-text", "Refund rows are joined twice since 4.2; the fix is a one-line change in the totals query.");
        await engineering.FillAsync("#assess-expected", "2026-04-02T17:00");
        await engineering.FillAsync("#assess-engineer", "bob");
        await engineering.Keyboard.PressAsync("Enter");
        await engineering.WaitForURLAsync($"**/items/{incident}/support?assessed=true");
        Assert.StartsWith("Refund rows are joined twice", (await engineering.TextContentAsync("[data-field=assessment]"))!.Trim());
        Assert.Equal("2026-04-02T16:00:00Z", await engineering.GetAttributeAsync("[data-field=expectedResolution] time", "datetime"));
        Assert.Contains("Thu 2 Apr 2026, 17:00 Europe/London", await engineering.TextContentAsync("[data-field=expectedResolution]"));
        Assert.Equal("bob", (await engineering.TextContentAsync("[data-field=engineer]"))!.Trim());
        var fields = (await ItemAsync(incident))["fields"]!;
        Assert.Equal("2026-04-02T16:00:00Z", (string)fields["expectedResolution"]!);
        Assert.Equal("bob", (string)fields["engineer"]!);
        await BrowserSession.ScreenshotAsync(engineering, "support-assessment");
    }

    [Fact]
    public async Task BugFlaggedDataProcessing_WithWorkaroundAndTargetRelease_ShowsWhoWasNotifiedAndWhen()
    {
        var bug = await CreateAsync("""{"tracker":"BUG","summary":"Refund rows joined twice in monthly totals","fields":{"product":"Server"}}""");
        var page = await session.SignInAsync("bob");
        await page.GotoAsync($"/items/{bug}");
        await page.ClickAsync("[data-tab=support]");
        await page.WaitForURLAsync($"**/items/{bug}/support");
        Assert.Equal("No notice sent yet.", (await page.TextContentAsync("[data-notices]"))!.Trim());
        Assert.Equal(
            ["Data collection", "Data processing", "Display of information", "Computer security"],
            (await page.Locator("#notice-form fieldset label.choice").AllTextContentsAsync()).Select(t => t.Split('—')[0].Trim()));

        await page.CheckAsync("#impact-impactDataProcessing");
        await page.FillAsync("#notice-workaround", "Run the totals report twice and subtract refunds.");
        await page.FillAsync("#notice-release", "4.3");
        await page.ClickAsync("#notice-form button[type=submit]");
        await page.WaitForURLAsync($"**/items/{bug}/support?saved=true");
        await SettleAsync();
        await page.ReloadAsync();

        Assert.True(await page.IsCheckedAsync("#impact-impactDataProcessing"));
        Assert.False(await page.IsCheckedAsync("#impact-impactSecurity"));
        Assert.Equal("4.3", await page.InputValueAsync("#notice-release"));
        var row = page.Locator("[data-notices] tbody tr");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal("carl, cora", (await row.Locator("[data-recipients]").TextContentAsync())!.Trim());
        Assert.Contains("Problem notice for Server: Refund rows joined twice in monthly totals", await row.TextContentAsync());
        Assert.Equal("2026-03-27T14:00:00Z", await row.Locator("time").GetAttributeAsync("datetime"));
        var fields = (await ItemAsync(bug))["fields"]!;
        Assert.True((bool)fields["impactDataProcessing"]!);
        Assert.Equal("Run the totals report twice and subtract refunds.", (string)fields["workaround"]!);
        await BrowserSession.ScreenshotAsync(page, "support-notice");

        // Saved unchanged: nobody is told again. A new target release: one update, listed first.
        await session.AdvanceClockAsync("2026-03-30T09:00:00Z");
        await page.ReloadAsync();
        await page.ClickAsync("#notice-form button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith($"/items/{bug}/support", StringComparison.Ordinal));
        await SettleAsync();
        await page.ReloadAsync();
        Assert.Equal(1, await row.CountAsync());
        await page.FillAsync("#notice-release", "4.2.2");
        await page.ClickAsync("#notice-form button[type=submit]");
        await page.WaitForURLAsync($"**/items/{bug}/support?saved=true");
        await SettleAsync();
        await page.ReloadAsync();
        Assert.Equal(2, await row.CountAsync());
        Assert.Contains("Update: Problem notice for Server", await row.First.TextContentAsync());
        Assert.Equal("2026-03-30T09:00:00Z", await row.First.Locator("time").GetAttributeAsync("datetime"));
        Assert.Equal("carl, cora", (await row.First.Locator("[data-recipients]").TextContentAsync())!.Trim());
    }

    private async Task<string> CreateAsync(string json) =>
        (string)(await Users.ExpectAsync(HttpStatusCode.Created, session.Server.Client.PostJsonAsync($"/api/v1/projects/{Key}/items", json)))["key"]!;

    private async Task<JsonNode> ItemAsync(string key) => await session.Server.Client.GetJsonAsync($"/api/v1/items/{key}");

    /// <summary>Fires what a change made due now, without moving the clock.</summary>
    private Task SettleAsync() =>
        Users.ExpectAsync(HttpStatusCode.OK, session.Server.Client.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT0S"}"""));
}
