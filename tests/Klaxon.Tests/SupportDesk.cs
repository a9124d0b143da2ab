using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Klaxon.Tests;

/// <summary>A message a rule sent: to whom, about what.</summary>
public sealed record SentMail(string Recipient, string Email, string Subject, string Body);

/// <summary>
/// A running server (manual clock at Friday 2026-03-27 14:00 UTC, 14:00 in London) with project SUP created from the
/// <c>support</c> template over HTTP, people in every role, customers of the products in groups <c>customers-Server</c>
/// and <c>customers-Client</c>, and an on-call roster of engineering managers: mia over the weekend, max in the week.
/// <para>
/// What rules send is read through <see cref="MessagesFor"/> and <see cref="MailsTo"/> only, so the assertions can move
/// from the recorded outgoing messages to the mails an SMTP server receives in this one place.
/// </para>
/// </summary>
public sealed class SupportDesk : IAsyncDisposable
{
    public const string Key = "SUP";

    /// <summary>Login → roles in SUP.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> People = new Dictionary<string, string[]>
    {
        ["alice"] = ["Support Engineer"],
        ["bob"] = ["Engineer"],
        ["erin"] = ["Engineer"],
        ["mia"] = ["Engineering Manager"],
        ["max"] = ["Engineering Manager"],
        ["quinn"] = ["QA"],
        ["dora"] = ["Distribution"],
        ["pat"] = ["Project Admin"],
        ["carl"] = ["Customer"],
        ["cora"] = ["Customer"],
        ["cliff"] = ["Customer"],
    };

    /// <summary>mia is on call from Friday 17:00 London until Monday 09:00 in Los Angeles; max from then until Friday 17:00 London.</summary>
    public const string Roster = """
        {"shifts":[
          {"login":"mia","from":"2026-03-27T17:00:00Z","until":"2026-03-30T16:00:00Z","note":"weekend"},
          {"login":"max","from":"2026-03-30T16:00:00Z","until":"2026-04-03T16:00:00Z"}]}
        """;

    private readonly Dictionary<string, HttpClient> clients = [];

    private SupportDesk(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    public HttpClient Admin => Server.Client;

    public HttpClient As(string login) => clients[login];

    public static async Task<SupportDesk> StartAsync()
    {
        var desk = new SupportDesk(await RunningServer.StartAsync());
        var server = desk.Server;
        await Users.ExpectAsync(HttpStatusCode.Created, desk.Admin.PostJsonAsync("/api/v1/projects", $$"""{"key":"{{Key}}","name":"Support","template":"support"}"""));
        foreach (var (login, roles) in People)
            desk.clients[login] = (await server.CreateMemberAsync(Key, login, roles)).Client;
        await server.CreateGroupAsync("customers-Server", "carl", "cora");
        await server.CreateGroupAsync("customers-Client", "cliff");
        await Users.ExpectAsync(HttpStatusCode.OK, desk.Admin.PutJsonAsync($"/api/v1/projects/{Key}/on-call", Roster));
        return desk;
    }

    public async Task<string> CreateAsync(string json, string? login = "alice")
    {
        var client = login is null ? Admin : As(login);
        return (string)(await Users.ExpectAsync(HttpStatusCode.Created, client.PostJsonAsync($"/api/v1/projects/{Key}/items", json)))["key"]!;
    }

    public Task<JsonNode> PatchAsync(string key, string json, string? login = null) =>
        Users.ExpectAsync(HttpStatusCode.OK, (login is null ? Admin : As(login)).PatchAsync($"/api/v1/items/{key}", Http.Json(json)));

    public Task<JsonNode> TransitionAsync(string key, string transition, string login = "alice") =>
        Users.ExpectAsync(HttpStatusCode.OK, As(login).PostJsonAsync($"/api/v1/items/{key}/transitions", JsonSerializer.Serialize(new { transition })));

    public Task LinkBugReportAsync(string incident, string bug) =>
        Users.ExpectAsync(HttpStatusCode.Created, As("alice").PostJsonAsync($"/api/v1/items/{incident}/links", JsonSerializer.Serialize(new { type = "bug-report", item = bug })));

    /// <summary>Moves the manual clock to <paramref name="instant"/>; everything due by then has fired when it returns.</summary>
    public async Task AdvanceToAsync(string instant) =>
        Assert.Equal(instant, (string)(await Users.ExpectAsync(HttpStatusCode.OK, Admin.PostJsonAsync("/api/v1/clock/advance", JsonSerializer.Serialize(new { to = instant }))))["now"]!);

    /// <summary>Fires what is due now (a change may make a rule due at once) without moving the clock.</summary>
    public Task SettleAsync() => Users.ExpectAsync(HttpStatusCode.OK, Admin.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT0S"}"""));

    public async Task<JsonNode> ItemAsync(string key) => await Admin.GetJsonAsync($"/api/v1/items/{key}");

    public async Task<string> StatusAsync(string key) => (string)(await ItemAsync(key))["status"]!;

    public async Task<JsonArray> HistoryAsync(string key) => (JsonArray)await Admin.GetJsonAsync($"/api/v1/items/{key}/history");

    /// <summary>Each schedule entry as "rule status due".</summary>
    public async Task<List<string>> ScheduleLinesAsync(string key) =>
        [.. ((JsonArray)await As("alice").GetJsonAsync($"/api/v1/items/{key}/escalations")).Select(e => $"{e!["rule"]} {e["status"]} {e["due"]}")];

    /// <summary>What the rules sent about an item, in order.</summary>
    public async Task<List<SentMail>> MessagesFor(string itemKey)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var id = await db.Items.Where(i => i.Key == itemKey).Select(i => i.Id).SingleAsync();
        var rows = await db.Messages.AsNoTracking().Where(m => m.ItemId == id).OrderBy(m => m.Id).ToListAsync();
        return [.. rows.Select(m => new SentMail(m.Recipient, m.Email ?? "", m.Subject, m.Body))];
    }

    /// <summary>What the rules sent to one person, in order.</summary>
    public async Task<List<SentMail>> MailsTo(string login)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var rows = await db.Messages.AsNoTracking().Where(m => m.Recipient == login).OrderBy(m => m.Id).ToListAsync();
        return [.. rows.Select(m => new SentMail(m.Recipient, m.Email ?? "", m.Subject, m.Body))];
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
