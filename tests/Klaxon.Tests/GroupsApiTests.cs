using System.Net;

namespace Klaxon.Tests;

public sealed class GroupsApiTests : IAsyncLifetime
{
    private RunningServer server = null!;

    private HttpClient Admin => server.Client;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await server.CreateUserAsync("alice");
        await server.CreateUserAsync("bob");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Post_ThenGetAndList_ShowTheMembersInOrder()
    {
        var created = await Users.ExpectAsync(HttpStatusCode.Created, Admin.PostJsonAsync("/api/v1/groups", """{"name":"oncall","members":["bob","alice","bob"]}"""));

        Http.AssertSameJson("""{"name":"oncall","members":["alice","bob"]}""", created);
        Http.AssertSameJson("""{"name":"oncall","members":["alice","bob"]}""", await Admin.GetJsonAsync("/api/v1/groups/oncall"));
        await server.CreateGroupAsync("empty");
        Http.AssertSameJson("""[{"name":"empty","members":[]},{"name":"oncall","members":["alice","bob"]}]""", await Admin.GetJsonAsync("/api/v1/groups"));
    }

    [Fact]
    public async Task Put_ReplacesTheMembers_OrCreatesTheGroup()
    {
        await server.CreateGroupAsync("oncall", "alice", "bob");

        var replaced = await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync("/api/v1/groups/oncall", """{"members":["bob"]}"""));
        var created = await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync("/api/v1/groups/qa", """{"name":"qa","members":["alice"]}"""));

        Http.AssertSameJson("""{"name":"oncall","members":["bob"]}""", replaced);
        Http.AssertSameJson("""{"name":"qa","members":["alice"]}""", created);
        Http.AssertSameJson("""[{"name":"oncall","members":["bob"]},{"name":"qa","members":["alice"]}]""", await Admin.GetJsonAsync("/api/v1/groups"));
    }

    [Fact]
    public async Task UnknownLogins_Are400NamingThem_AndNothingChanges()
    {
        await server.CreateGroupAsync("oncall", "alice");
        string[] observed = ["/api/v1/groups", "/api/v1/groups/oncall", "/api/v1/groups/new"];

        await server.AssertRefusedAsync(Admin, HttpMethod.Post, "/api/v1/groups", """{"name":"new","members":["alice","zed","yan"]}""", observed, HttpStatusCode.BadRequest);
        await server.AssertRefusedAsync(Admin, HttpMethod.Put, "/api/v1/groups/oncall", """{"members":["bob","zed"]}""", observed, HttpStatusCode.BadRequest);

        using var response = await Admin.PostJsonAsync("/api/v1/groups", """{"name":"new","members":["alice","zed","yan"]}""");
        Assert.Equal("there is no user 'zed', 'yan'.", (string)(await response.ReadJsonAsync())["errors"]!["members"]![0]!);
    }

    [Theory]
    [InlineData("""{"members":[]}""", "name", "is required")]
    [InlineData("""{"name":"on call","members":[]}""", "name", "'on call' is not a group name")]
    [InlineData("""{"name":"oncall"}""", "members", "is required")]
    [InlineData("""{"name":"oncall","members":[""]}""", "members", "not null or empty")]
    public async Task Post_Invalid_Is400NamingTheField(string body, string field, string message)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/groups", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (string)(await response.ReadJsonAsync())["errors"]![field]![0]!);
        Assert.Equal("[]", (await Admin.GetJsonAsync("/api/v1/groups")).ToJsonString());
    }

    [Fact]
    public async Task Put_WithAnotherNameInTheBody_Is400()
    {
        await server.CreateGroupAsync("oncall", "alice");

        await server.AssertRefusedAsync(Admin, HttpMethod.Put, "/api/v1/groups/oncall", """{"name":"renamed","members":[]}""",
            ["/api/v1/groups"], HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Post_ExistingName_Is409AndChangesNothing()
    {
        await server.CreateGroupAsync("oncall", "alice");

        await server.AssertRefusedAsync(Admin, HttpMethod.Post, "/api/v1/groups", """{"name":"oncall","members":["bob"]}""", ["/api/v1/groups"], HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Delete_RemovesTheGroup_UnknownIs404()
    {
        await server.CreateGroupAsync("oncall", "alice");

        using var deleted = await Admin.DeleteAsync("/api/v1/groups/oncall");
        using var again = await Admin.DeleteAsync("/api/v1/groups/oncall");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("There is no group 'oncall'.", (string)(await again.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/groups/oncall")).StatusCode);
    }

    [Fact]
    public async Task Delete_WhileAProjectMember_Is409NamingTheProject()
    {
        await server.CreateProjectAsync("SUP");
        await server.CreateGroupAsync("oncall", "alice");
        await server.AddGroupToProjectAsync("SUP", "oncall", "Engineer");

        using var response = await Admin.DeleteAsync("/api/v1/groups/oncall");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.StartsWith("Group 'oncall' is a member of SUP;", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/api/v1/groups/oncall")).StatusCode);
    }

    [Fact]
    public async Task DeletingAGroupWhileLinkingIt_NeverLeavesAProjectWithAMissingGroup()
    {
        await server.CreateProjectAsync("SUP");
        for (var round = 0; round < 10; round++)
        {
            await server.CreateGroupAsync("temp", "alice");

            var link = Admin.PutJsonAsync("/api/v1/projects/SUP/groups/temp", """{"roles":["QA"]}""");
            var delete = Admin.DeleteAsync("/api/v1/groups/temp");
            using var linked = await link;
            using var deleted = await delete;

            var groupExists = (await Admin.GetAsync("/api/v1/groups/temp")).StatusCode == HttpStatusCode.OK;
            var inProject = (await Admin.GetJsonAsync("/api/v1/projects/SUP/members"))["groups"]!.AsArray().Count > 0;
            Assert.True(
                (linked.StatusCode, deleted.StatusCode, groupExists, inProject) is
                    (HttpStatusCode.OK, HttpStatusCode.Conflict, true, true) or (HttpStatusCode.NotFound, HttpStatusCode.NoContent, false, false),
                $"round {round}: link {(int)linked.StatusCode}, delete {(int)deleted.StatusCode}, group exists {groupExists}, in project {inProject}");
            await Admin.DeleteAsync("/api/v1/projects/SUP/groups/temp");
            await Admin.DeleteAsync("/api/v1/groups/temp");
        }
    }

    [Fact]
    public async Task NonAdmin_MayReadGroups_ButEveryWriteIs403AndChangesNothing()
    {
        await server.CreateGroupAsync("oncall", "alice");
        var carol = await server.CreateUserAsync("carol");
        string[] observed = ["/api/v1/groups", "/api/v1/groups/oncall", "/api/v1/groups/mine"];

        Assert.Equal(HttpStatusCode.OK, (await carol.Client.GetAsync("/api/v1/groups")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await carol.Client.GetAsync("/api/v1/groups/oncall")).StatusCode);
        await server.AssertRefusedAsync(carol.Client, HttpMethod.Post, "/api/v1/groups", """{"name":"mine","members":["carol"]}""", observed);
        await server.AssertRefusedAsync(carol.Client, HttpMethod.Put, "/api/v1/groups/oncall", """{"members":["carol"]}""", observed);
        await server.AssertRefusedAsync(carol.Client, HttpMethod.Put, "/api/v1/groups/mine", """{"members":["carol"]}""", observed);
        await server.AssertRefusedAsync(carol.Client, HttpMethod.Delete, "/api/v1/groups/oncall", null, observed);
    }
}
