using System.Net;

namespace Klaxon.Tests;

/// <summary>Who may see and create projects: administrators create; members with <c>items.view</c> see their projects only.</summary>
public sealed class ProjectsAccessTests : IAsyncLifetime
{
    private RunningServer server = null!;

    private HttpClient Admin => server.Client;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await server.CreateProjectAsync("SUP", "Support");
        await server.CreateProjectAsync("OPS", "Operations");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task NonAdmin_CannotCreateProjects_AndNothingChanges()
    {
        var lead = await server.CreateMemberAsync("SUP", "lead", "Project Admin");

        await server.AssertRefusedAsync(lead.Client, HttpMethod.Post, "/api/v1/projects", """{"key":"NEW","name":"New"}""",
            ["/api/v1/projects", "/api/v1/projects/NEW", "/api/v1/calendars"]);
    }

    [Fact]
    public async Task NonMember_GetsForbidden_AndSeesNoProjects()
    {
        var stranger = await server.CreateUserAsync("stranger");

        await server.AssertRefusedAsync(stranger.Client, HttpMethod.Get, "/api/v1/projects/SUP", null, ["/api/v1/projects/SUP"]);
        Assert.Equal("[]", (await stranger.Client.GetJsonAsync("/api/v1/projects")).ToJsonString());
        using var response = await stranger.Client.GetAsync("/api/v1/projects/SUP");
        Assert.Equal("'stranger' lacks the permission 'items.view' in project SUP.", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Member_SeesOnlyTheProjectsTheyMayView()
    {
        var customer = await server.CreateMemberAsync("OPS", "customer", "Customer");
        var viewer = await server.CreateUserAsync("viewer");
        await server.CreateGroupAsync("readers", "viewer");
        await server.AddGroupToProjectAsync("SUP", "readers", "Distribution");

        Assert.Equal(["OPS"], (await customer.Client.GetJsonAsync("/api/v1/projects")).AsArray().Select(p => (string)p!["key"]!));
        Assert.Equal(["SUP"], (await viewer.Client.GetJsonAsync("/api/v1/projects")).AsArray().Select(p => (string)p!["key"]!));
        Assert.Equal(["OPS", "SUP"], (await Admin.GetJsonAsync("/api/v1/projects")).AsArray().Select(p => (string)p!["key"]!));
        Assert.Equal("Support", (string)(await viewer.Client.GetJsonAsync("/api/v1/projects/SUP"))["name"]!);
    }

    [Fact]
    public async Task MemberOfARoleWithoutViewItems_GetsForbidden()
    {
        await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync("/api/v1/projects/SUP/roles/Scheduler", """{"permissions":["escalations.view"]}"""));
        var scheduler = await server.CreateMemberAsync("SUP", "scheduler", "Scheduler");

        await server.AssertRefusedAsync(scheduler.Client, HttpMethod.Get, "/api/v1/projects/SUP", null, ["/api/v1/projects/SUP"]);
    }

    [Fact]
    public async Task UnknownProject_Is404ForMembersOfOthersToo()
    {
        var customer = await server.CreateMemberAsync("OPS", "customer", "Customer");

        using var response = await customer.Client.GetAsync("/api/v1/projects/NOPE");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("There is no project 'NOPE'.", (string)(await response.ReadJsonAsync())["detail"]!);
    }
}
