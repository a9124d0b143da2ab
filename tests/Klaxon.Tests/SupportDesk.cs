using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>
/// A mail the SMTP server received: the login of the user it was addressed to (<see cref="Email"/>), its subject
/// and its plain-text body.
/// </summary>
public sealed record SentMail(string Recipient, string Email, string Subject, string Body);

/// <summary>
/// A running server (manual clock at Friday 2026-03-27 14:00 UTC, 14:00 in London) with project SUP created from the
/// <c>support</c> template over HTTP, people in every role, customers of the products in groups <c>customers-Server</c>
/// and <c>customers-Client</c>, and an on-call roster of engineering managers: mia over the weekend, max in the week.
/// <para>
/// The server mails through a real SMTP server of its own (<see cref="SmtpSink"/>, aiosmtpd on loopback).
/// <see cref="MessagesFor"/> and <see cref="MailsTo"/> return the mails that server received, once the outbox is idle:
/// every message recorded so far sent (a message held by the rate limit or quiet hours, dead or skipped fails the test
/// saying so), and the sink holding exactly one mail for each mail the outbox says it sent. A message is marked sent
/// only after the SMTP server accepted it, and a sent message is never sent again, so a mail counted "once" here
/// cannot be followed by a duplicate. The project keeps the server's default notification settings (10 mails per
/// recipient within 10 minutes; quiet hours are off unless a user turns them on, and nobody here does): no scenario
/// comes near them, and a held message or a digest (held messages a later clock advance released) fails the test.
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
    private readonly Dictionary<string, string> logins = new(StringComparer.OrdinalIgnoreCase);

    private SupportDesk(SmtpSink sink, RunningServer server) => (Sink, Server) = (sink, server);

    /// <summary>The SMTP server the desk's server mails through.</summary>
    public SmtpSink Sink { get; }

    public RunningServer Server { get; }

    public HttpClient Admin => Server.Client;

    public HttpClient As(string login) => clients[login];

    public static async Task<SupportDesk> StartAsync()
    {
        var sink = await SmtpSink.StartNewAsync();
        RunningServer server;
        try
        {
            server = await RunningServer.StartAsync(delivery: sink.Settings());
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }
        var desk = new SupportDesk(sink, server);
        await Users.ExpectAsync(HttpStatusCode.Created, desk.Admin.PostJsonAsync("/api/v1/projects", $$"""{"key":"{{Key}}","name":"Support","template":"support"}"""));
        foreach (var (login, roles) in People)
            desk.clients[login] = (await server.CreateMemberAsync(Key, login, roles)).Client;
        await server.CreateGroupAsync("customers-Server", "carl", "cora");
        await server.CreateGroupAsync("customers-Client", "cliff");
        await Users.ExpectAsync(HttpStatusCode.OK, desk.Admin.PutJsonAsync($"/api/v1/projects/{Key}/on-call", Roster));
        foreach (var user in (JsonArray)await desk.Admin.GetJsonAsync("/api/v1/users"))
            desk.logins[(string)user!["email"]!] = (string)user["login"]!;
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

    /// <summary>
    /// The mails about an item the SMTP server received, in the order received, once the outbox is idle: each mail
    /// that carried one or more of the item's messages, exactly once, and no other mail naming the item.
    /// </summary>
    public async Task<List<SentMail>> MessagesFor(string itemKey)
    {
        var mails = await MailsWhenIdleAsync();
        var deliveries = (await Admin.NotificationsAsync($"item={itemKey}"))
            .Where(r => (string)r!["channel"]! == "email").Select(r => (string)r!["sentAs"]!).ToHashSet();
        var about = mails.Where(m => deliveries.Contains(m.Headers["X-Klaxon-Delivery"])).ToList();
        Assert.Equal(deliveries.Order(), about.Select(m => m.Headers["X-Klaxon-Delivery"]).Order());
        Assert.All(mails.Except(about), m => Assert.NotEqual(itemKey, m.Headers.GetValueOrDefault("X-Klaxon-Item")));
        Assert.All(about, m => Assert.Equal(itemKey, m.Headers["X-Klaxon-Item"]));
        return [.. about.Select(Read)];
    }

    /// <summary>The mails the SMTP server received for one person, in the order received, once the outbox is idle.</summary>
    public async Task<List<SentMail>> MailsTo(string login) =>
        [.. (await MailsWhenIdleAsync()).Select(Read).Where(m => m.Recipient == login)];

    /// <summary>
    /// Waits until every message the outbox holds is sent (failing at once on one held, dead or skipped, and after 30 s
    /// on one still pending), then checks that the sink received exactly one mail for each mail the outbox sent.
    /// </summary>
    private async Task<List<SunkMail>> MailsWhenIdleAsync()
    {
        var rows = await Admin.WaitForNotificationsAsync("limit=10000", rows =>
        {
            var stuck = rows.Where(r => (string)r!["status"]! is not ("pending" or "sending" or "sent")).ToList();
            if (stuck.Count > 0)
                Assert.Fail($"A message was not sent, which no scenario here expects (a held one tripped the rate limit or quiet hours): {new JsonArray([.. stuck.Select(r => r!.DeepClone())]).ToJsonString()}");
            return rows.All(r => (string)r!["status"]! == "sent");
        }, "every message to be sent");
        var sent = rows.Where(r => (string)r!["channel"]! == "email").Select(r => (string)r!["sentAs"]!).Distinct().Order().ToList();
        var mails = Sink.Mails();
        Assert.Equal(sent, mails.Select(m => m.Headers["X-Klaxon-Delivery"]).Order()); // each mail once, none missing, no other
        // Every mail here is about one item; a digest is not (held messages the clock has since released).
        var digests = mails.Where(m => !m.Headers.ContainsKey("X-Klaxon-Item")).Select(m => $"{m.To}: {m.Subject}").ToList();
        if (digests.Count > 0) Assert.Fail($"The rate limit held messages back and mailed them in a digest, which no scenario here expects: {string.Join(" | ", digests)}");
        return mails;
    }

    private SentMail Read(SunkMail mail) => new(logins.GetValueOrDefault(mail.To, mail.To), mail.To, mail.Subject, mail.Text ?? "");

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Sink.DisposeAsync();
    }
}
