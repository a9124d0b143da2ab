using System.Net;
using Microsoft.Playwright;

namespace Klaxon.Tests;

/// <summary>
/// A real Klaxon server (manual clock, SQLite or PostgreSQL as the API tests choose) and Debian's Chromium driven by
/// Playwright, for one test class. Pages sign in through the sign-in form like a person would; each test saves a
/// screenshot under artifacts/screenshots/ at the repository root.
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public const string Password = "correct-horse-battery";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright playwright = null!;

    public RunningServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"The browser tests need Chromium at {ChromiumPath}: install Debian's package with 'apt-get install -y chromium' (./test does).");
        Server = await RunningServer.StartAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    /// <summary>A new browser context (its own cookies) at 1280×860, in Berlin time, signed in as <paramref name="login"/>.</summary>
    public async Task<IPage> SignInAsync(string login, string password = Password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.Address.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            TimezoneId = "Europe/Berlin",
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.EndsWith("/signin?ReturnUrl=%2F", page.Url);
        await page.FillAsync("#login", login);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>Creates a user with a password and an API token, who is a direct member of <paramref name="project"/> in <paramref name="roles"/>.</summary>
    public async Task<TestUser> CreateMemberAsync(string project, string login, params string[] roles)
    {
        var user = await Server.CreateUserAsync(login, password: Password);
        await Server.AddToProjectAsync(project, login, roles);
        return user;
    }

    /// <summary>Moves the server's manual clock (the escalations due on the way fire before it answers).</summary>
    public Task AdvanceClockAsync(string to) =>
        Users.ExpectAsync(HttpStatusCode.OK, Server.Client.PostJsonAsync("/api/v1/clock/advance", $$"""{"to":"{{to}}"}"""));

    /// <summary>Saves a full-page screenshot as artifacts/screenshots/NAME.png under the repository root.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 0, $"The screenshot {path} is empty.");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Klaxon.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Klaxon.slnx above {AppContext.BaseDirectory}: the tests run from the build output inside the repository.");
    }
}
