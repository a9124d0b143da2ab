using System.Net;
using Microsoft.Playwright;

namespace Klaxon.Tests;

public sealed class PermissionTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();
    private string item = "";

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session);
        item = await BrowserDesk.CreateItemAsync(session, """{"tracker":"INC","summary":"Printer on fire","priority":2}""");
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task AUserWithoutViewEscalationSchedule_SeesNoEscalationsTab_AndItsDataAnswers403()
    {
        var page = await session.SignInAsync("sue");
        await page.GotoAsync($"/items/{item}");
        Assert.Equal("Printer on fire", (await page.TextContentAsync("h1"))!.Split(" · ")[1].Split(' ')[0] + " on fire");
        Assert.Equal(0, await page.Locator("[data-tab=escalations]").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Escalations" }).CountAsync());
        await page.GotoAsync("/projects/SUP");
        Assert.Equal(0, await page.Locator("th >> text=Next escalation due").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "item-without-escalations");

        var response = await page.GotoAsync($"/items/{item}/escalations");
        Assert.Equal(403, response!.Status);
        Assert.Contains("escalations.view", await page.TextContentAsync(".problem"));
        await BrowserSession.ScreenshotAsync(page, "escalations-forbidden");

        // The same refusal through the REST API with Sue's own token.
        var sue = session.Server.ClientFor((await Users.ExpectAsync(HttpStatusCode.Created,
            session.Server.Client.PostJsonAsync("/api/v1/users/sue/tokens", """{"name":"api"}""")))["token"]!.ToString());
        using var api = await sue.GetAsync($"/api/v1/items/{item}/escalations");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);

        var pat = await session.SignInAsync("pat");
        await pat.GotoAsync($"/items/{item}");
        Assert.Equal(1, await pat.Locator("[data-tab=escalations]").CountAsync());
    }

    [Fact]
    public async Task SigningInWithAWrongPassword_IsRefused_AndTheApiIgnoresTheUiCookie()
    {
        var context = await session.Browser.NewContextAsync(new() { BaseURL = session.Server.Address.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#login", "pat");
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("not right", await page.TextContentAsync(".problem"));
        await BrowserSession.ScreenshotAsync(page, "signin");

        var signedIn = await session.SignInAsync("pat");
        var api = await signedIn.APIRequest.GetAsync("/api/v1/projects");
        Assert.Equal(401, api.Status);
        await signedIn.ClickAsync("text=Sign out");
        await signedIn.WaitForURLAsync("**/signin");
        await signedIn.GotoAsync("/projects/SUP");
        Assert.Contains("/signin", signedIn.Url);
    }
}
