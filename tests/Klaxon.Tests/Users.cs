using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>A user made through the API, with an API token of their own and a client that sends it.</summary>
public sealed record TestUser(string Login, string Token, HttpClient Client);

/// <summary>
/// Users, groups, projects and memberships made through the REST API as the administrator, for tests that need
/// callers with particular permissions. Each helper fails the test, showing the answer, when the server refuses.
/// </summary>
public static class Users
{
    /// <summary>
    /// Creates user <paramref name="login"/> (name = login, e-mail login@example.test) and an API token for them;
    /// the client sends that token and is disposed with the server (after a restart use <c>server.ClientFor(user.Token)</c>).
    /// </summary>
    public static async Task<TestUser> CreateUserAsync(this RunningServer server, string login, bool admin = false, string? password = null)
    {
        var user = new JsonObject { ["login"] = login, ["name"] = login, ["email"] = $"{login}@example.test", ["admin"] = admin };
        if (password is not null) user["password"] = password;
        await ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/users", user.ToJsonString()));
        var token = (string)(await ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync($"/api/v1/users/{login}/tokens", """{"name":"test"}""")))["token"]!;
        return new TestUser(login, token, server.ClientFor(token));
    }

    /// <summary>Creates a user with a token (see <see cref="CreateUserAsync"/>) who is a direct member of <paramref name="project"/> in <paramref name="roles"/>.</summary>
    public static async Task<TestUser> CreateMemberAsync(this RunningServer server, string project, string login, params string[] roles)
    {
        var user = await server.CreateUserAsync(login);
        await server.AddToProjectAsync(project, login, roles);
        return user;
    }

    /// <summary>Sets the roles <paramref name="login"/> holds directly in <paramref name="project"/> (PUT …/members/{login}); no roles removes them.</summary>
    public static async Task AddToProjectAsync(this RunningServer server, string project, string login, params string[] roles) =>
        await ExpectAsync(HttpStatusCode.OK, server.Client.PutJsonAsync($"/api/v1/projects/{project}/members/{login}", JsonSerializer.Serialize(new { roles })));

    /// <summary>Creates a group of existing users (POST /api/v1/groups).</summary>
    public static async Task CreateGroupAsync(this RunningServer server, string name, params string[] members) =>
        await ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/groups", JsonSerializer.Serialize(new { name, members })));

    /// <summary>Links a group to roles in a project (PUT …/groups/{group}): its members become indirect members.</summary>
    public static async Task AddGroupToProjectAsync(this RunningServer server, string project, string group, params string[] roles) =>
        await ExpectAsync(HttpStatusCode.OK, server.Client.PutJsonAsync($"/api/v1/projects/{project}/groups/{group}", JsonSerializer.Serialize(new { roles })));

    /// <summary>Creates a project with the default roles and a calendar of its own, <c>project-key</c> (POST /api/v1/projects).</summary>
    public static async Task CreateProjectAsync(this RunningServer server, string key, string? name = null) =>
        await ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/projects", JsonSerializer.Serialize(new { key, name = name ?? key })));

    /// <summary>
    /// Sends a request that must be refused with <paramref name="status"/> (403 by default) and asserts that each of
    /// <paramref name="observed"/> reads the same, as the administrator sees it, before and after.
    /// </summary>
    public static async Task AssertRefusedAsync(
        this RunningServer server, HttpClient client, HttpMethod method, string path, string? json, string[] observed, HttpStatusCode status = HttpStatusCode.Forbidden)
    {
        Assert.NotEmpty(observed);
        var before = await ReadAllAsync(server, observed);
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Http.Json(json) };

        using var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{method} {path} answered {(int)response.StatusCode}, not {(int)status}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await ReadAllAsync(server, observed));
    }

    /// <summary>The body of an answer that has the expected status; otherwise fails showing what came instead.</summary>
    public static async Task<JsonNode> ExpectAsync(HttpStatusCode status, Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}, not {(int)status}: {body}");
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!;
    }

    private static async Task<List<string>> ReadAllAsync(RunningServer server, string[] paths)
    {
        var texts = new List<string>();
        foreach (var path in paths)
        {
            using var response = await server.Client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            // A problem's traceId differs from request to request; what the resource holds does not.
            if (body.StartsWith('{') && JsonNode.Parse(body) is JsonObject problem && problem.Remove("traceId")) body = problem.ToJsonString();
            texts.Add($"{path}: {(int)response.StatusCode} {body}");
        }
        return texts;
    }
}
