using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Klaxon.Tests;

/// <summary>
/// A running server with project SUP, its Incident (INC) and Bug (BUG) trackers, and users in the default roles,
/// each with a client of their own. Users are stored directly in the database (there is no users API yet).
/// </summary>
public sealed class SupportProject : IAsyncDisposable
{
    public const string Project = "SUP";

    /// <summary>Custom fields of every type; a workflow with a hidden transition and required fields and links.</summary>
    public const string Incident = """
        {"key":"INC","name":"Incident",
         "fields":[{"name":"region","type":"choice","choices":["EMEA","APAC"]},{"name":"impact","type":"number"},{"name":"detectedAt","type":"datetime"},
                   {"name":"owner","type":"user"},{"name":"confirmed","type":"bool"},{"name":"customer","type":"text"}],
         "workflow":{"statuses":["New","Triage","Unconfirmed","Escalated","Resolved","Closed"],"initial":"New","transitions":[
           {"name":"Triage","from":"New","to":"Triage","roles":["Support Engineer"]},
           {"name":"Mark unconfirmed","from":"New","to":"Unconfirmed","roles":[]},
           {"name":"Escalate to engineering","from":"Triage","to":"Escalated","roles":["Support Engineer"],"requires":["link:bug-report"]},
           {"name":"Resolve","from":"Escalated","to":"Resolved","roles":["Engineer","Support Engineer"],"requires":["resolution","fields.region"]},
           {"name":"Close","from":"Resolved","to":"Closed","roles":["QA"]}]}}
        """;

    public const string Bug = """
        {"key":"BUG","name":"Bug","workflow":{"statuses":["Open","Fixed"],"initial":"Open","transitions":[{"name":"Fix","from":"Open","to":"Fixed","roles":["Engineer"]}]}}
        """;

    /// <summary>Logins and their roles in SUP; olga exists but is no member, gina is one through the group oncall (Engineer).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> People = new Dictionary<string, string[]>
    {
        ["alice"] = ["Support Engineer"],
        ["bob"] = ["Engineer"],
        ["quinn"] = ["QA"],
        ["carl"] = ["Customer"],
        ["dora"] = ["Distribution"],
        ["pat"] = ["Project Admin"],
        ["olga"] = [],
    };

    private readonly Dictionary<string, HttpClient> clients = [];

    private SupportProject(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    /// <summary>The administrator (no member of SUP, but may do everything).</summary>
    public HttpClient Admin => Server.Client;

    public HttpClient As(string login) => clients[login];

    public static async Task<SupportProject> StartAsync()
    {
        var project = new SupportProject(await RunningServer.StartAsync());
        await project.SetUpAsync();
        return project;
    }

    private async Task SetUpAsync()
    {
        await Expect(HttpStatusCode.Created, await Admin.PostJsonAsync("/api/v1/projects", $$"""{"key":"{{Project}}","name":"Support"}"""));
        await Expect(HttpStatusCode.Created, await Admin.PostJsonAsync($"/api/v1/projects/{Project}/trackers", Incident));
        await Expect(HttpStatusCode.Created, await Admin.PostJsonAsync($"/api/v1/projects/{Project}/trackers", Bug));
        foreach (var (login, roles) in People)
            clients[login] = Client(await AddUserAsync(Server, login, roles.Length > 0 ? Project : null, roles));
        clients["gina"] = Client(await AddUserAsync(Server, "gina", null));
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        db.Groups.Add(new GroupRow { Name = "oncall" });
        db.GroupMembers.Add(new GroupMemberRow { GroupName = "oncall", Login = "gina" });
        db.Members.Add(new MemberRow { ProjectKey = Project, Kind = MemberRow.GroupKind, Principal = "oncall", Roles = """["Engineer"]""" });
        await db.SaveChangesAsync();
    }

    /// <summary>Stores a user with an API token and, when <paramref name="project"/> is given, a direct membership in those roles; returns the token.</summary>
    public static async Task<string> AddUserAsync(RunningServer server, string login, string? project, params string[] roles)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var token = TokenHandler.NewToken();
        db.Users.Add(new UserRow { Login = login, Name = login, Email = $"{login}@example.test" });
        db.Tokens.Add(new TokenRow { Login = login, Hash = TokenHandler.Hash(token), Name = "test" });
        if (project is not null)
            db.Members.Add(new MemberRow { ProjectKey = project, Kind = MemberRow.UserKind, Principal = login, Roles = JsonSerializer.Serialize(roles) });
        await db.SaveChangesAsync();
        return token;
    }

    private HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = Server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates an incident (as the admin unless told otherwise) and returns the answer.</summary>
    public async Task<JsonNode> CreateAsync(string json, HttpClient? client = null)
    {
        using var response = await (client ?? Admin).PostJsonAsync($"/api/v1/projects/{Project}/items", json);
        return await Expect(HttpStatusCode.Created, response);
    }

    public async Task<JsonNode> PatchAsync(string key, string json, HttpClient? client = null)
    {
        using var response = await (client ?? Admin).PatchAsync($"/api/v1/items/{key}", Http.Json(json));
        return await Expect(HttpStatusCode.OK, response);
    }

    public async Task<JsonNode> TransitionAsync(string key, string transition, HttpClient? client = null)
    {
        using var response = await (client ?? As("alice")).PostJsonAsync($"/api/v1/items/{key}/transitions", JsonSerializer.Serialize(new { transition }));
        return await Expect(HttpStatusCode.OK, response);
    }

    public async Task LinkAsync(string key, string type, string target, HttpClient? client = null)
    {
        using var response = await (client ?? Admin).PostJsonAsync($"/api/v1/items/{key}/links", JsonSerializer.Serialize(new { type, item = target }));
        await Expect(HttpStatusCode.Created, response);
    }

    /// <summary>The body of an answer with the expected status; otherwise fails showing what came instead.</summary>
    public static async Task<JsonNode> Expect(HttpStatusCode status, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not {(int)status}: {body}");
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients.Values) client.Dispose();
        await Server.DisposeAsync();
    }
}
