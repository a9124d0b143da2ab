using System.Net;
using System.Net.Http.Headers;

namespace Klaxon.Tests;

public sealed class AuthTests : IAsyncLifetime
{
    private RunningServer server = null!;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/calendars")]
    [InlineData("/api/v1/calendars/system")]
    [InlineData("/api/v1/calendars/system/between?from=2026-03-27T00:00:00Z&to=2026-03-28T00:00:00Z")]
    [InlineData("/api/v1/clock")]
    public async Task Api_WithoutToken_Is401ProblemDetails(string path)
    {
        using var response = await server.Anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(401, (int)problem["status"]!);
        Assert.Contains("Authorization: Bearer", (string)problem["detail"]!);
    }

    [Theory]
    [InlineData("Bearer", "not-the-token", "not known")]
    [InlineData("Bearer", "test-admin-token-but-longer", "not known")]
    [InlineData("Basic", "dXNlcjpwYXNz", "not a bearer token")]
    public async Task Api_WithUnknownToken_Is401NamingTheProblem(string scheme, string token, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/calendars");
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);

        using var response = await server.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expected, (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Post_WithoutToken_StoresNothing()
    {
        using var response = await server.Anonymous.PostJsonAsync("/api/v1/calendars", Calendars.Emea);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/calendars/emea")).StatusCode);
    }

    [Fact]
    public async Task Api_WithToken_Answers()
    {
        using var response = await server.Client.GetAsync("/api/v1/calendars");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_NeedsNoToken()
    {
        using var response = await server.Anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApiDocument_NeedsNoToken_AndDescribesTheApi()
    {
        var document = await server.Anonymous.GetJsonAsync("/openapi/v1.json");

        var paths = document["paths"]!.AsObject();
        Assert.Contains("/api/v1/calendars", paths.Select(p => p.Key));
        Assert.Contains("/api/v1/calendars/{id}", paths.Select(p => p.Key));
        Assert.Contains("/api/v1/calendars/{id}/add", paths.Select(p => p.Key));
        Assert.Contains("/api/v1/calendars/{id}/days", paths.Select(p => p.Key));
        Assert.Contains("/api/v1/clock/advance", paths.Select(p => p.Key));
        Assert.Equal("bearer", (string)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!);
        Assert.NotNull(document["paths"]!["/api/v1/calendars"]!["get"]!["security"]);
    }

    [Fact]
    public async Task UnknownPath_Is404ProblemDetails()
    {
        using var response = await server.Client.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
