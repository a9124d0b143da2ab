using System.Net;

namespace Klaxon.Tests;

/// <summary>
/// Who may write calendars: administrators, and holders of <c>project.admin</c> in a project whose calendar it is.
/// Reading calendars and asking them working-time questions is open to every authenticated user.
/// </summary>
public sealed class CalendarAccessTests : IAsyncLifetime
{
    private static readonly string[] Observed = ["/api/v1/calendars", "/api/v1/calendars/system", "/api/v1/calendars/project-sup", "/api/v1/calendars/berlin"];

    private RunningServer server = null!;
    private TestUser plain = null!;
    private TestUser lead = null!;

    private HttpClient Admin => server.Client;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await server.CreateProjectAsync("SUP", "Support");
        await server.CreateProjectAsync("OPS", "Operations");
        plain = await server.CreateMemberAsync("SUP", "plain", "Support Engineer");
        lead = await server.CreateMemberAsync("SUP", "lead", "Project Admin");
        await Admin.CreateAsync(Calendars.Berlin);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/calendars")]
    [InlineData("/api/v1/calendars/system")]
    [InlineData("/api/v1/calendars/project-sup")]
    [InlineData("/api/v1/calendars/berlin/add?from=2026-03-27T14:00:00Z&duration=PT4H")]
    [InlineData("/api/v1/calendars/berlin/between?from=2026-03-27T00:00:00Z&to=2026-03-28T00:00:00Z")]
    [InlineData("/api/v1/calendars/system/intervals?from=2026-03-27T00:00:00Z&to=2026-03-28T00:00:00Z")]
    [InlineData("/api/v1/calendars/system/days?from=2026-03-27&to=2026-03-28")]
    public async Task Reading_IsOpenToAnyAuthenticatedUser(string path)
    {
        var stranger = await server.CreateUserAsync("stranger");

        using var response = await stranger.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UserWithoutProjectAdmin_GetsForbiddenForEveryWrite_AndNothingChanges()
    {
        foreach (var client in new[] { plain.Client, lead.Client })
        {
            await server.AssertRefusedAsync(client, HttpMethod.Post, "/api/v1/calendars", Calendars.Emea, [.. Observed, "/api/v1/calendars/emea"]);
            await server.AssertRefusedAsync(client, HttpMethod.Put, "/api/v1/calendars/berlin", Calendars.Berlin.Replace("Berlin office", "Mine"), Observed);
            await server.AssertRefusedAsync(client, HttpMethod.Put, "/api/v1/calendars/system", """{"name":"Hacked","timeZone":"UTC"}""", Observed);
            await server.AssertRefusedAsync(client, HttpMethod.Put, "/api/v1/calendars/project-ops", """{"name":"Not mine","parent":"system"}""", [.. Observed, "/api/v1/calendars/project-ops"]);
            await server.AssertRefusedAsync(client, HttpMethod.Delete, "/api/v1/calendars/berlin", null, Observed);
        }
        await server.AssertRefusedAsync(plain.Client, HttpMethod.Put, "/api/v1/calendars/project-sup", """{"name":"Mine","parent":"system"}""", Observed);
        await server.AssertRefusedAsync(plain.Client, HttpMethod.Delete, "/api/v1/calendars/project-sup", null, Observed);
    }

    [Fact]
    public async Task Forbidden_SaysWhichPermissionInWhichProjectWouldAllowIt()
    {
        using var projectCalendar = await plain.Client.PutJsonAsync("/api/v1/calendars/project-sup", """{"name":"Mine","parent":"system"}""");
        using var otherCalendar = await plain.Client.PutJsonAsync("/api/v1/calendars/berlin", Calendars.Berlin);

        Assert.Equal("'plain' may not write calendar 'project-sup': that needs the permission 'project.admin' in project SUP, whose calendar it is.",
            (string)(await projectCalendar.ReadJsonAsync())["detail"]!);
        Assert.Equal("Only administrators may write calendar 'berlin', which is no project's calendar; 'plain' is not one.",
            (string)(await otherCalendar.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task ProjectAdmin_ReplacesTheProjectsCalendar()
    {
        const string changed = """{"id":"project-sup","name":"Support hours","timeZone":"Europe/Berlin","parent":"system","weeklyHours":[],"specialDays":[{"name":"Offsite","date":"2026-04-01","kind":"holiday"}]}""";

        using var response = await lead.Client.PutJsonAsync("/api/v1/calendars/project-sup", changed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Http.AssertSameJson(changed, await plain.Client.GetJsonAsync("/api/v1/calendars/project-sup"));
    }

    [Fact]
    public async Task ProjectAdminThroughAGroup_ReplacesTheProjectsCalendar()
    {
        var member = await server.CreateUserAsync("grouped");
        await server.CreateGroupAsync("leads", "grouped");
        await server.AddGroupToProjectAsync("OPS", "leads", "Project Admin");

        using var response = await member.Client.PutJsonAsync("/api/v1/calendars/project-ops", """{"name":"Ops hours","parent":"system"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Ops hours", (string)(await Admin.GetJsonAsync("/api/v1/calendars/project-ops"))["name"]!);
    }

    [Fact]
    public async Task ProjectCalendar_CannotBeDeletedWhileAProjectUsesIt()
    {
        using var byLead = await lead.Client.DeleteAsync("/api/v1/calendars/project-sup");
        using var byAdmin = await Admin.DeleteAsync("/api/v1/calendars/project-sup");

        Assert.Equal(HttpStatusCode.Conflict, byLead.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, byAdmin.StatusCode);
        Assert.Contains("is the calendar of project SUP", (string)(await byAdmin.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/api/v1/calendars/project-sup")).StatusCode);
    }

    [Fact]
    public async Task Administrator_WritesAnyCalendar()
    {
        await Users.ExpectAsync(HttpStatusCode.Created, Admin.PostJsonAsync("/api/v1/calendars", Calendars.Emea));
        await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync("/api/v1/calendars/project-sup", """{"name":"Admin's choice","parent":"system"}"""));
        await Users.ExpectAsync(HttpStatusCode.NoContent, Admin.DeleteAsync("/api/v1/calendars/emea"));
    }
}
