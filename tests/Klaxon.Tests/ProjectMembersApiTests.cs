using System.Net;

namespace Klaxon.Tests;

/// <summary>Members and roles of project SUP; alice, bob and gina are users, oncall (gina, bob) a group.</summary>
public sealed class ProjectMembersApiTests : IAsyncLifetime
{
    private const string Members = "/api/v1/projects/SUP/members";
    private const string Roles = "/api/v1/projects/SUP/roles";

    private RunningServer server = null!;
    private TestUser alice = null!;
    private TestUser bob = null!;
    private TestUser gina = null!;

    private HttpClient Admin => server.Client;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await server.CreateProjectAsync("SUP", "Support");
        alice = await server.CreateUserAsync("alice");
        bob = await server.CreateUserAsync("bob");
        gina = await server.CreateUserAsync("gina");
        await server.CreateGroupAsync("oncall", "gina", "bob");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task NewProject_HasNoMembers()
    {
        Http.AssertSameJson("""{"users":[],"groups":[]}""", await Admin.GetJsonAsync(Members));
    }

    [Fact]
    public async Task Members_SayWhichRolesAreDirectAndWhichComeThroughWhichGroup()
    {
        await server.AddToProjectAsync("SUP", "bob", "Engineer", "QA");
        await server.AddToProjectAsync("SUP", "alice", "Support Engineer");
        await server.AddGroupToProjectAsync("SUP", "oncall", "Engineer", "Engineering Manager");

        Http.AssertSameJson("""
            {"users":[
              {"login":"alice","name":"alice","indirect":false,"roles":[{"role":"Support Engineer","direct":true,"groups":[]}]},
              {"login":"bob","name":"bob","indirect":false,"roles":[
                {"role":"Engineer","direct":true,"groups":["oncall"]},
                {"role":"Engineering Manager","direct":false,"groups":["oncall"]},
                {"role":"QA","direct":true,"groups":[]}]},
              {"login":"gina","name":"gina","indirect":true,"roles":[
                {"role":"Engineer","direct":false,"groups":["oncall"]},
                {"role":"Engineering Manager","direct":false,"groups":["oncall"]}]}],
             "groups":[{"group":"oncall","roles":["Engineer","Engineering Manager"],"members":["bob","gina"]}]}
            """, await Admin.GetJsonAsync(Members));
    }

    [Fact]
    public async Task PutMember_ReplacesTheRoles_AndAnEmptyListRemovesTheMembership()
    {
        await server.AddToProjectAsync("SUP", "alice", "Support Engineer", "QA");

        var replaced = await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync($"{Members}/alice", """{"roles":["Distribution","Distribution"]}"""));

        Http.AssertSameJson("""{"login":"alice","name":"alice","indirect":false,"roles":[{"role":"Distribution","direct":true,"groups":[]}]}""", replaced);
        var removed = await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync($"{Members}/alice", """{"roles":[]}"""));
        Http.AssertSameJson("""{"login":"alice","name":"alice","indirect":false,"roles":[]}""", removed);
        Http.AssertSameJson("""{"users":[],"groups":[]}""", await Admin.GetJsonAsync(Members));
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);
    }

    [Fact]
    public async Task DeleteMember_RemovesTheDirectRolesButNotThoseThroughGroups()
    {
        await server.AddToProjectAsync("SUP", "gina", "QA");
        await server.AddGroupToProjectAsync("SUP", "oncall", "Engineer");

        using var deleted = await Admin.DeleteAsync($"{Members}/gina");
        using var again = await Admin.DeleteAsync($"{Members}/gina");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("'gina' is not a direct member of project SUP.", (string)(await again.ReadJsonAsync())["detail"]!);
        var members = await Admin.GetJsonAsync(Members);
        Http.AssertSameJson("""{"login":"gina","name":"gina","indirect":true,"roles":[{"role":"Engineer","direct":false,"groups":["oncall"]}]}""",
            members["users"]!.AsArray().Single(u => (string)u!["login"]! == "gina"));
    }

    [Fact]
    public async Task PutAndDeleteGroup_LinkAndUnlinkItsMembers()
    {
        var linked = await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync("/api/v1/projects/SUP/groups/oncall", """{"roles":["QA"]}"""));

        Http.AssertSameJson("""{"group":"oncall","roles":["QA"],"members":["bob","gina"]}""", linked);
        Assert.Equal(HttpStatusCode.OK, (await gina.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);
        using var deleted = await Admin.DeleteAsync("/api/v1/projects/SUP/groups/oncall");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Http.AssertSameJson("""{"users":[],"groups":[]}""", await Admin.GetJsonAsync(Members));
        Assert.Equal(HttpStatusCode.Forbidden, (await gina.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);
        using var again = await Admin.DeleteAsync("/api/v1/projects/SUP/groups/oncall");
        Assert.Equal("Group 'oncall' is not a member of project SUP.", (string)(await again.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task IndirectMembership_GrantsTheGroupRolesPermissions()
    {
        string[] observed = [Members, Roles];
        await server.AssertRefusedAsync(gina.Client, HttpMethod.Put, $"{Members}/alice", """{"roles":["QA"]}""", observed);

        await server.AddGroupToProjectAsync("SUP", "oncall", "Project Admin");

        await Users.ExpectAsync(HttpStatusCode.OK, gina.Client.PutJsonAsync($"{Members}/alice", """{"roles":["QA"]}"""));
        await Users.ExpectAsync(HttpStatusCode.Created, gina.Client.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["items.view"]}"""));
        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);
    }

    [Fact]
    public async Task UnknownUserGroupOrRole_IsRefusedNamingIt_AndNothingChanges()
    {
        string[] observed = [Members, Roles];

        await server.AssertRefusedAsync(Admin, HttpMethod.Put, $"{Members}/nobody", """{"roles":["QA"]}""", observed, HttpStatusCode.NotFound);
        await server.AssertRefusedAsync(Admin, HttpMethod.Put, "/api/v1/projects/SUP/groups/nogroup", """{"roles":["QA"]}""", observed, HttpStatusCode.NotFound);
        await server.AssertRefusedAsync(Admin, HttpMethod.Put, $"{Members}/alice", """{"roles":["QA","Wizard","Jester"]}""", observed, HttpStatusCode.BadRequest);
        await server.AssertRefusedAsync(Admin, HttpMethod.Put, $"{Members}/alice", """{}""", observed, HttpStatusCode.BadRequest);
        await server.AssertRefusedAsync(Admin, HttpMethod.Delete, $"{Members}/nobody", null, observed, HttpStatusCode.NotFound);
        await server.AssertRefusedAsync(Admin, HttpMethod.Delete, $"{Roles}/Wizard", null, observed, HttpStatusCode.NotFound);

        using var user = await Admin.PutJsonAsync($"{Members}/nobody", """{"roles":["QA"]}""");
        Assert.Equal("There is no user 'nobody'.", (string)(await user.ReadJsonAsync())["detail"]!);
        using var group = await Admin.PutJsonAsync("/api/v1/projects/SUP/groups/nogroup", """{"roles":["QA"]}""");
        Assert.Equal("There is no group 'nogroup'.", (string)(await group.ReadJsonAsync())["detail"]!);
        using var role = await Admin.PutJsonAsync($"{Members}/alice", """{"roles":["QA","Wizard","Jester"]}""");
        Assert.Equal(
            "project SUP has no role 'Wizard', 'Jester'; its roles are Customer, Distribution, Engineer, Engineering Manager, Project Admin, QA, Support Engineer.",
            (string)(await role.ReadJsonAsync())["errors"]!["roles"]![0]!);
    }

    [Fact]
    public async Task UnknownProject_Is404()
    {
        using var response = await Admin.PutJsonAsync("/api/v1/projects/NOPE/members/alice", """{"roles":["QA"]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("There is no project 'NOPE'.", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Roles_AreTheDefaultRoleSetOfTheDesign()
    {
        Http.AssertSameJson("""
            [{"name":"Customer","permissions":["items.view","items.create"]},
             {"name":"Distribution","permissions":["items.view"]},
             {"name":"Engineer","permissions":["items.view","items.create","items.edit","items.transition"]},
             {"name":"Engineering Manager","permissions":["items.view","items.create","items.edit","items.transition"]},
             {"name":"Project Admin","permissions":["items.view","items.create","items.edit","items.transition","escalations.view","project.admin"]},
             {"name":"QA","permissions":["items.view","items.edit","items.transition"]},
             {"name":"Support Engineer","permissions":["items.view","items.create","items.edit","items.transition"]}]
            """, await Admin.GetJsonAsync(Roles));
    }

    [Fact]
    public async Task CustomRole_IsCreatedReplacedAndGrantsItsPermissions()
    {
        var created = await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["escalations.view","items.view"]}"""));
        Http.AssertSameJson("""{"name":"Auditor","permissions":["items.view","escalations.view"]}""", created);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);

        await server.AddToProjectAsync("SUP", "alice", "Auditor");

        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);
        var replaced = await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["escalations.view"]}"""));
        Http.AssertSameJson("""{"name":"Auditor","permissions":["escalations.view"]}""", replaced);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Client.GetAsync("/api/v1/projects/SUP")).StatusCode);
        Assert.Contains("Auditor", (await Admin.GetJsonAsync(Roles)).AsArray().Select(r => (string)r!["name"]!));
        Assert.Equal(["escalations.view"], (await Admin.GetJsonAsync("/api/v1/projects/SUP"))["roles"]!["Auditor"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task PutRole_WithUnknownPermissions_Is400ListingTheKnownOnes()
    {
        using var response = await Admin.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["items.view","items.delete","root"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "'items.delete', 'root' are not permissions; the permissions are items.view, items.create, items.edit, items.transition, escalations.view, project.admin.",
            (string)(await response.ReadJsonAsync())["errors"]!["permissions"]![0]!);
        Assert.DoesNotContain("Auditor", (await Admin.GetJsonAsync(Roles)).AsArray().Select(r => (string)r!["name"]!));
    }

    [Fact]
    public async Task DeleteRole_WhileHeld_Is409NamingTheHolders_ThenSucceedsWhenFree()
    {
        await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["items.view"]}"""));
        await server.AddToProjectAsync("SUP", "alice", "Auditor");
        await server.AddGroupToProjectAsync("SUP", "oncall", "Auditor", "QA");

        await server.AssertRefusedAsync(Admin, HttpMethod.Delete, $"{Roles}/Auditor", null, [Members, Roles], HttpStatusCode.Conflict);
        using var refused = await Admin.DeleteAsync($"{Roles}/Auditor");
        Assert.Equal("Role 'Auditor' is held by 'alice', group 'oncall'; give them other roles first.", (string)(await refused.ReadJsonAsync())["detail"]!);

        await server.AddToProjectAsync("SUP", "alice");
        await server.AddGroupToProjectAsync("SUP", "oncall", "QA");
        using var deleted = await Admin.DeleteAsync($"{Roles}/Auditor");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain("Auditor", (await Admin.GetJsonAsync(Roles)).AsArray().Select(r => (string)r!["name"]!));
    }

    [Fact]
    public async Task ProjectAdmin_WhoIsNoSystemAdmin_ManagesMembersAndRoles()
    {
        await server.AddToProjectAsync("SUP", "alice", "Project Admin");

        await Users.ExpectAsync(HttpStatusCode.OK, alice.Client.PutJsonAsync($"{Members}/bob", """{"roles":["Engineer"]}"""));
        await Users.ExpectAsync(HttpStatusCode.OK, alice.Client.PutJsonAsync("/api/v1/projects/SUP/groups/oncall", """{"roles":["QA"]}"""));
        await Users.ExpectAsync(HttpStatusCode.Created, alice.Client.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["items.view"]}"""));
        await Users.ExpectAsync(HttpStatusCode.NoContent, alice.Client.DeleteAsync($"{Roles}/Auditor"));
        await Users.ExpectAsync(HttpStatusCode.NoContent, alice.Client.DeleteAsync("/api/v1/projects/SUP/groups/oncall"));
        await Users.ExpectAsync(HttpStatusCode.NoContent, alice.Client.DeleteAsync($"{Members}/bob"));
    }

    [Fact]
    public async Task MemberWithoutProjectAdmin_MayReadButEveryWriteIs403AndChangesNothing()
    {
        await server.AddToProjectAsync("SUP", "alice", "Support Engineer", "QA", "Engineering Manager");
        await server.AddToProjectAsync("SUP", "bob", "Engineer");
        await server.AddGroupToProjectAsync("SUP", "oncall", "Engineer");
        await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync($"{Roles}/Auditor", """{"permissions":["items.view"]}"""));
        string[] observed = [Members, Roles];

        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync(Members)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync(Roles)).StatusCode);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Put, $"{Members}/alice", """{"roles":["Project Admin"]}""", observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Put, $"{Members}/gina", """{"roles":["QA"]}""", observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Delete, $"{Members}/bob", null, observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Put, "/api/v1/projects/SUP/groups/oncall", """{"roles":["Project Admin"]}""", observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Delete, "/api/v1/projects/SUP/groups/oncall", null, observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Put, $"{Roles}/Support Engineer", """{"permissions":["project.admin"]}""", observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Put, $"{Roles}/Mine", """{"permissions":["project.admin"]}""", observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Delete, $"{Roles}/Auditor", null, observed);
    }

    [Fact]
    public async Task NonMember_IsRefusedEvenReading()
    {
        string[] observed = [Members, Roles];

        await server.AssertRefusedAsync(alice.Client, HttpMethod.Get, Members, null, observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Get, Roles, null, observed);
        await server.AssertRefusedAsync(alice.Client, HttpMethod.Put, $"{Members}/alice", """{"roles":["Project Admin"]}""", observed);
    }

    [Fact]
    public async Task ChangesAtTheSameTime_AllTakeEffect()
    {
        var logins = Enumerable.Range(1, 8).Select(i => $"user{i}").ToList();
        foreach (var login in logins) await server.CreateUserAsync(login);

        var answers = await Task.WhenAll(logins.Select(login => Admin.PutJsonAsync($"{Members}/{login}", """{"roles":["QA"]}""")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var members = await Admin.GetJsonAsync(Members);
        Assert.Equal(logins, members["users"]!.AsArray().Select(u => (string)u!["login"]!));
    }

    [Fact]
    public async Task DeletingARoleWhileGrantingIt_NeverLeavesAMemberInAMissingRole()
    {
        for (var round = 0; round < 10; round++)
        {
            await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync($"{Roles}/Temp", """{"permissions":["items.view"]}"""));

            var grant = Admin.PutJsonAsync($"{Members}/alice", """{"roles":["Temp"]}""");
            var delete = Admin.DeleteAsync($"{Roles}/Temp");
            using var granted = await grant;
            using var deleted = await delete;

            var roleExists = (await Admin.GetJsonAsync(Roles)).AsArray().Any(r => (string)r!["name"]! == "Temp");
            var aliceHoldsIt = (await Admin.GetJsonAsync(Members))["users"]!.AsArray().Any(u => (string)u!["login"]! == "alice");
            Assert.True(
                (granted.StatusCode, deleted.StatusCode, roleExists, aliceHoldsIt) is
                    (HttpStatusCode.OK, HttpStatusCode.Conflict, true, true) or (HttpStatusCode.BadRequest, HttpStatusCode.NoContent, false, false),
                $"round {round}: grant {(int)granted.StatusCode}, delete {(int)deleted.StatusCode}, role exists {roleExists}, alice holds it {aliceHoldsIt}");
            await server.AddToProjectAsync("SUP", "alice");
            await Admin.DeleteAsync($"{Roles}/Temp");
        }
    }

    [Fact]
    public async Task RoleNamesWithSpaces_WorkInTheAddress()
    {
        await Users.ExpectAsync(HttpStatusCode.Created, Admin.PutJsonAsync($"{Roles}/On%20call%20lead", """{"permissions":["items.view"]}"""));
        await server.AddToProjectAsync("SUP", "alice", "On call lead");

        await Users.ExpectAsync(HttpStatusCode.OK, Admin.PutJsonAsync($"{Roles}/Support%20Engineer", """{"permissions":["items.view"]}"""));

        Assert.Contains("On call lead", (await Admin.GetJsonAsync(Roles)).AsArray().Select(r => (string)r!["name"]!));
        using var invalid = await Admin.PutJsonAsync($"{Roles}/%20padded", """{"permissions":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }
}
