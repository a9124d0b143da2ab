using System.Net;
using System.Net.Http.Headers;

namespace Klaxon.Tests;

/// <summary>One server with project SUP, user jane and group oncall, shared by the refusals below (which change nothing).</summary>
public sealed class TokenRequiredServer : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync();
        await Server.CreateProjectAsync("SUP", "Support");
        await Server.CreateMemberAsync("SUP", "jane", "QA");
        await Server.CreateGroupAsync("oncall", "jane");
        await Server.AddGroupToProjectAsync("SUP", "oncall", "Engineer");
        await Server.Client.CreateAsync(Calendars.Berlin);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Every endpoint group answers a request without a token, or with an unknown one, with 401 and changes nothing.</summary>
public sealed class TokenRequiredTests(TokenRequiredServer fixture) : IClassFixture<TokenRequiredServer>
{
    private static readonly string[] Everything =
    [
        "/api/v1/users", "/api/v1/users/jane", "/api/v1/users/jane/tokens", "/api/v1/users/admin/tokens", "/api/v1/groups",
        "/api/v1/projects", "/api/v1/projects/SUP/members", "/api/v1/projects/SUP/roles", "/api/v1/calendars",
    ];

    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "GET", "/api/v1/me", null },
        { "GET", "/api/v1/users", null },
        { "POST", "/api/v1/users", """{"login":"eve","name":"Eve","email":"eve@example.com","admin":true}""" },
        { "GET", "/api/v1/users/jane", null },
        { "PATCH", "/api/v1/users/jane", """{"name":"Eve"}""" },
        { "GET", "/api/v1/users/jane/tokens", null },
        { "POST", "/api/v1/users/jane/tokens", """{"name":"stolen"}""" },
        { "DELETE", "/api/v1/users/admin/tokens/1", null },
        { "GET", "/api/v1/groups", null },
        { "POST", "/api/v1/groups", """{"name":"eve","members":["jane"]}""" },
        { "GET", "/api/v1/groups/oncall", null },
        { "PUT", "/api/v1/groups/oncall", """{"members":[]}""" },
        { "DELETE", "/api/v1/groups/oncall", null },
        { "GET", "/api/v1/projects", null },
        { "POST", "/api/v1/projects", """{"key":"EVE","name":"Eve"}""" },
        { "GET", "/api/v1/projects/SUP", null },
        { "GET", "/api/v1/projects/SUP/members", null },
        { "PUT", "/api/v1/projects/SUP/members/jane", """{"roles":["Project Admin"]}""" },
        { "DELETE", "/api/v1/projects/SUP/members/jane", null },
        { "PUT", "/api/v1/projects/SUP/groups/oncall", """{"roles":["Project Admin"]}""" },
        { "DELETE", "/api/v1/projects/SUP/groups/oncall", null },
        { "GET", "/api/v1/projects/SUP/roles", null },
        { "PUT", "/api/v1/projects/SUP/roles/QA", """{"permissions":["project.admin"]}""" },
        { "DELETE", "/api/v1/projects/SUP/roles/Customer", null },
        { "GET", "/api/v1/projects/SUP/on-call", null },
        { "PUT", "/api/v1/projects/SUP/on-call", """{"shifts":[]}""" },
        { "GET", "/api/v1/calendars", null },
        { "GET", "/api/v1/calendars/berlin", null },
        { "POST", "/api/v1/calendars", Calendars.Emea },
        { "PUT", "/api/v1/calendars/berlin", """{"name":"Eve","parent":"system"}""" },
        { "DELETE", "/api/v1/calendars/berlin", null },
        { "GET", "/api/v1/calendars/berlin/add?from=2026-03-27T14:00:00Z&duration=PT4H", null },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task WithoutToken_Is401AndChangesNothing(string method, string path, string? body) =>
        await fixture.Server.AssertRefusedAsync(fixture.Server.Anonymous, new HttpMethod(method), path, body, Everything, HttpStatusCode.Unauthorized);

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task WithUnknownToken_Is401AndChangesNothing(string method, string path, string? body)
    {
        var client = fixture.Server.ClientFor("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

        await fixture.Server.AssertRefusedAsync(client, new HttpMethod(method), path, body, Everything, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryEndpointAsNeedingTheBearerToken()
    {
        var document = await fixture.Server.Anonymous.GetJsonAsync("/openapi/v1.json");

        var paths = document["paths"]!.AsObject();
        foreach (var (method, path, _) in Endpoints.Select(row => ((string)row[0], (string)row[1], row[2])))
        {
            var template = OpenApiPath(path.Split('?')[0]);
            Assert.True(paths.ContainsKey(template), $"{template} is not in the OpenAPI document");
            Assert.NotNull(paths[template]![method.ToLowerInvariant()]?["security"]);
        }
    }

    /// <summary>The templated path of a concrete one, as the OpenAPI document names it.</summary>
    private static string OpenApiPath(string path) => path switch
    {
        _ when path.StartsWith("/api/v1/users/") && path.Contains("/tokens/") => "/api/v1/users/{login}/tokens/{id}",
        _ when path.StartsWith("/api/v1/users/") && path.EndsWith("/tokens") => "/api/v1/users/{login}/tokens",
        _ when path.StartsWith("/api/v1/users/") => "/api/v1/users/{login}",
        _ when path.StartsWith("/api/v1/groups/") => "/api/v1/groups/{name}",
        _ when path.StartsWith("/api/v1/projects/SUP/members/") => "/api/v1/projects/{key}/members/{login}",
        _ when path.StartsWith("/api/v1/projects/SUP/groups/") => "/api/v1/projects/{key}/groups/{group}",
        _ when path.StartsWith("/api/v1/projects/SUP/roles/") => "/api/v1/projects/{key}/roles/{role}",
        _ when path.StartsWith("/api/v1/projects/SUP/") => path.Replace("/SUP/", "/{key}/"),
        _ when path.StartsWith("/api/v1/projects/") => "/api/v1/projects/{key}",
        _ when path.StartsWith("/api/v1/calendars/") && path.EndsWith("/add") => "/api/v1/calendars/{id}/add",
        _ when path.StartsWith("/api/v1/calendars/") => "/api/v1/calendars/{id}",
        _ => path,
    };

    [Fact]
    public async Task WithAnotherScheme_Is401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "amFuZTpwYXNzd29yZA==");

        using var response = await fixture.Server.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
