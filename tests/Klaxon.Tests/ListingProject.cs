using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// A running server with project LST (created through the API), its trackers INC and BUG, project OTH with
/// tracker OTH, and users with API tokens: <c>lead</c> (Project Admin of LST), <c>ann</c> and <c>bob</c>
/// (Support Engineers of LST) and <c>eve</c> (no member). Trackers, items and users are written straight
/// into the server's database, so these tests need nothing but the views and listing endpoints.
/// </summary>
public sealed class ListingProject : IAsyncDisposable
{
    public const string Key = "LST";

    /// <summary>INC's custom fields: region (choice EMEA/APAC), cost (number), due (date-time), vip (bool).</summary>
    public const string Incident = """
        {"key":"INC","name":"Incident","fields":[{"name":"region","type":"choice","choices":["EMEA","APAC"]},{"name":"cost","type":"number"},{"name":"due","type":"datetime"},{"name":"vip","type":"bool"}],
         "workflow":{"statuses":["New","Open","Closed"],"initial":"New","transitions":[]}}
        """;

    private const string Bug = """{"key":"BUG","name":"Bug","workflow":{"statuses":["New","Fixed"],"initial":"New","transitions":[]}}""";
    private const string Other = """{"key":"OTH","name":"Other","workflow":{"statuses":["New"],"initial":"New","transitions":[]}}""";

    private readonly List<HttpClient> clients = [];
    private readonly Dictionary<string, int> numbers = [];

    private ListingProject(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    /// <summary>The server's administrator (every permission everywhere).</summary>
    public HttpClient Admin => Server.Client;

    public HttpClient Anonymous => Server.Anonymous;

    public HttpClient Lead { get; private set; } = null!;
    public HttpClient Ann { get; private set; } = null!;
    public HttpClient Bob { get; private set; } = null!;
    public HttpClient Eve { get; private set; } = null!;

    public static async Task<ListingProject> StartAsync()
    {
        var project = new ListingProject(await RunningServer.StartAsync());
        try
        {
            foreach (var key in new[] { Key, "OTH" })
            {
                using var created = await project.Admin.PostJsonAsync("/api/v1/projects", $$"""{"key":"{{key}}","name":"Project {{key}}"}""");
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }
            await project.WriteAsync(db =>
            {
                db.Trackers.Add(Tracker(Key, Incident));
                db.Trackers.Add(Tracker(Key, Bug));
                db.Trackers.Add(Tracker("OTH", Other));
            });
            project.Lead = await project.AddUserAsync("lead", Permissions.ProjectAdmin);
            project.Ann = await project.AddUserAsync("ann", Permissions.SupportEngineer);
            project.Bob = await project.AddUserAsync("bob", Permissions.SupportEngineer);
            project.Eve = await project.AddUserAsync("eve", role: null);
            return project;
        }
        catch
        {
            await project.DisposeAsync();
            throw;
        }
    }

    private static TrackerRow Tracker(string project, string json)
    {
        var document = JsonSerializer.Deserialize<TrackerDocument>(json, Model.KlaxonJson.Options)!;
        return new TrackerRow { Key = document.Key!, ProjectKey = project, Name = document.Name!, Definition = json, Version = 1 };
    }

    /// <summary>A user with an API token, a member of LST in <paramref name="role"/> (none when null); a client sending the token.</summary>
    public async Task<HttpClient> AddUserAsync(string login, string? role)
    {
        var token = TokenHandler.NewToken();
        await WriteAsync(db =>
        {
            db.Users.Add(new UserRow { Login = login, Name = login, Email = $"{login}@example.com" });
            db.Tokens.Add(new TokenRow { Login = login, Hash = TokenHandler.Hash(token), Name = "test" });
            if (role is not null)
                db.Members.Add(new MemberRow { ProjectKey = Key, Kind = MemberRow.UserKind, Principal = login, Roles = JsonSerializer.Serialize(new[] { role }) });
        });
        var client = new HttpClient { BaseAddress = Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        clients.Add(client);
        return client;
    }

    /// <summary>
    /// Stores an item of <paramref name="tracker"/> (next number, status New, submitted by ann at the server's start
    /// unless <paramref name="change"/> says otherwise) and returns its key.
    /// </summary>
    public async Task<string> AddItemAsync(string summary, Action<ItemRow>? change = null, string tracker = "INC", string project = Key)
    {
        var number = numbers[tracker] = numbers.GetValueOrDefault(tracker) + 1;
        var item = new ItemRow
        {
            Key = $"{tracker}-{number}",
            ProjectKey = project,
            TrackerKey = tracker,
            Number = number,
            Summary = summary,
            Status = "New",
            Submitter = "ann",
            SubmittedAt = RunningServer.Start.ToUnixTimeMilliseconds(),
            UpdatedAt = RunningServer.Start.ToUnixTimeMilliseconds(),
            Version = 1,
        };
        change?.Invoke(item);
        await WriteAsync(db => db.Items.Add(item));
        return item.Key;
    }

    public static long Millis(Instant instant) => instant.ToUnixTimeMilliseconds();

    /// <summary>Runs <paramref name="change"/> on the server's own database and saves.</summary>
    public async Task WriteAsync(Action<KlaxonDbContext> change)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        change(db);
        await db.SaveChangesAsync();
    }

    /// <summary>Reads from the server's own database.</summary>
    public async Task<T> ReadAsync<T>(Func<KlaxonDbContext, Task<T>> read)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<KlaxonDbContext>());
    }

    /// <summary>The keys of the items of one listing page, in order.</summary>
    public static List<string> Keys(JsonNode page) => [.. page["items"]!.AsArray().Select(i => (string)i!["key"]!)];

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients) client.Dispose();
        await Server.DisposeAsync();
    }
}
