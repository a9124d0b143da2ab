using System.Net;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Klaxon.Tests;

public sealed class UsersApiTests : IAsyncLifetime
{
    private RunningServer server = null!;

    private HttpClient Admin => server.Client;

    public async Task InitializeAsync() => server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Post_ThenGet_ReturnsTheUserWithoutThePassword()
    {
        var created = await Users.ExpectAsync(HttpStatusCode.Created, Admin.PostJsonAsync("/api/v1/users",
            """{"login":"j.doe","name":" Jane Doe ","email":"jane@example.com","password":"s3cret-pass"}"""));

        const string expected = """{"login":"j.doe","name":"Jane Doe","email":"jane@example.com","admin":false,"hasPassword":true,"createdAt":"2026-03-27T14:00:00Z"}""";
        Http.AssertSameJson(expected, created);
        Http.AssertSameJson(expected, await Admin.GetJsonAsync("/api/v1/users/j.doe"));
        Assert.Equal(["admin", "j.doe"], (await Admin.GetJsonAsync("/api/v1/users")).AsArray().Select(u => (string)u!["login"]!));
    }

    [Fact]
    public async Task Post_StoresThePasswordOnlyAsAPbkdf2HashThatVerifies()
    {
        await server.CreateUserAsync("jane", password: "s3cret-pass");

        var stored = await StoredUserAsync("jane");

        Assert.StartsWith("pbkdf2-sha256$", stored.PasswordHash);
        Assert.DoesNotContain("s3cret-pass", stored.PasswordHash);
        Assert.True(Passwords.Verify("s3cret-pass", stored.PasswordHash));
        Assert.False(Passwords.Verify("s3cret-pasS", stored.PasswordHash));
    }

    public static TheoryData<string, string, string> BadUsers => new()
    {
        { """{"name":"X","email":"x@example.com"}""", "login", "is required" },
        { """{"login":"Jane","name":"X","email":"x@example.com"}""", "login", "'Jane' is not a login" },
        { """{"login":"-jane","name":"X","email":"x@example.com"}""", "login", "'-jane' is not a login" },
        { """{"login":"ja ne","name":"X","email":"x@example.com"}""", "login", "'ja ne' is not a login" },
        { """{"login":"jane","email":"x@example.com"}""", "name", "is required" },
        { """{"login":"jane","name":"  ","email":"x@example.com"}""", "name", "is required" },
        { """{"login":"jane","name":"X"}""", "email", "is required" },
        { """{"login":"jane","name":"X","email":"jane.example.com"}""", "email", "'jane.example.com' is not an e-mail address" },
        { """{"login":"jane","name":"X","email":"a@b@c"}""", "email", "'a@b@c' is not an e-mail address" },
        { """{"login":"jane","name":"X","email":"x@example.com","password":"short"}""", "password", "at least 8 characters" },
        { """{"login":"jane","name":"X","email":"x@example.com","role":"admin"}""", "role", "'role' is not a known property" },
    };

    [Theory]
    [MemberData(nameof(BadUsers))]
    public async Task Post_Invalid_Is400NamingTheFieldAndStoresNothing(string body, string field, string message)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/users", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains(message, (string)problem["errors"]![field]![0]!);
        Assert.Equal(["admin"], (await Admin.GetJsonAsync("/api/v1/users")).AsArray().Select(u => (string)u!["login"]!));
    }

    [Fact]
    public async Task Post_ExistingLogin_Is409AndChangesNothing()
    {
        await server.CreateUserAsync("jane");
        var before = await Admin.GetTextAsync("/api/v1/users/jane");

        using var response = await Admin.PostJsonAsync("/api/v1/users", """{"login":"jane","name":"Other","email":"other@example.com"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("'jane' already exists", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/users/jane"));
    }

    [Fact]
    public async Task Get_UnknownUser_Is404NamingIt()
    {
        using var response = await Admin.GetAsync("/api/v1/users/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("There is no user 'nobody'.", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Me_IsTheCaller()
    {
        var jane = await server.CreateUserAsync("jane");

        Assert.Equal("jane", (string)(await jane.Client.GetJsonAsync("/api/v1/me"))["login"]!);
        var admin = await Admin.GetJsonAsync("/api/v1/me");
        Assert.Equal("admin", (string)admin["login"]!);
        Assert.True((bool)admin["admin"]!);
    }

    [Fact]
    public async Task NonAdmin_MayReadUsersButNotCreateThem()
    {
        var jane = await server.CreateUserAsync("jane");

        Assert.Equal(["admin", "jane"], (await jane.Client.GetJsonAsync("/api/v1/users")).AsArray().Select(u => (string)u!["login"]!));
        Assert.Equal("admin", (string)(await jane.Client.GetJsonAsync("/api/v1/users/admin"))["login"]!);
        await server.AssertRefusedAsync(jane.Client, HttpMethod.Post, "/api/v1/users", """{"login":"mallory","name":"M","email":"m@example.com","admin":true}""",
            ["/api/v1/users", "/api/v1/users/mallory"]);
    }

    [Fact]
    public async Task Patch_BySelf_ChangesNameEmailAndPassword()
    {
        var jane = await server.CreateUserAsync("jane");

        var changed = await Users.ExpectAsync(HttpStatusCode.OK,
            jane.Client.PatchAsync("/api/v1/users/jane", Http.Json("""{"name":"Jane D.","email":"jd@example.org","password":"new-password-1"}""")));

        Http.AssertSameJson("""{"login":"jane","name":"Jane D.","email":"jd@example.org","admin":false,"hasPassword":true,"createdAt":"2026-03-27T14:00:00Z"}""", changed);
        Assert.True(Passwords.Verify("new-password-1", (await StoredUserAsync("jane")).PasswordHash));
    }

    [Fact]
    public async Task Patch_LeavesOutPropertiesUnchanged()
    {
        await server.CreateUserAsync("jane", password: "first-password");

        await Users.ExpectAsync(HttpStatusCode.OK, Admin.PatchAsync("/api/v1/users/jane", Http.Json("""{"email":"jd@example.org"}""")));

        var stored = await StoredUserAsync("jane");
        Assert.Equal(("jane", "jd@example.org"), (stored.Name, stored.Email));
        Assert.True(Passwords.Verify("first-password", stored.PasswordHash));
    }

    [Fact]
    public async Task Patch_AdminFlagBySelf_Is403AndChangesNothing()
    {
        var jane = await server.CreateUserAsync("jane");

        await server.AssertRefusedAsync(jane.Client, HttpMethod.Patch, "/api/v1/users/jane", """{"name":"Boss","admin":true}""", ["/api/v1/users/jane"]);
    }

    [Fact]
    public async Task Patch_OtherUserByNonAdmin_Is403AndChangesNothing()
    {
        var jane = await server.CreateUserAsync("jane");
        await server.CreateUserAsync("bob", password: "bobs-password");

        await server.AssertRefusedAsync(jane.Client, HttpMethod.Patch, "/api/v1/users/bob", """{"password":"janes-choice"}""", ["/api/v1/users/bob"]);
        Assert.True(Passwords.Verify("bobs-password", (await StoredUserAsync("bob")).PasswordHash));
        await server.AssertRefusedAsync(jane.Client, HttpMethod.Patch, "/api/v1/users/admin", """{"email":"jane@evil.example"}""", ["/api/v1/users/admin"]);
    }

    [Fact]
    public async Task Patch_AdminFlagByAdmin_GrantsAdministration()
    {
        var jane = await server.CreateUserAsync("jane");

        await Users.ExpectAsync(HttpStatusCode.OK, Admin.PatchAsync("/api/v1/users/jane", Http.Json("""{"admin":true}""")));

        await Users.ExpectAsync(HttpStatusCode.Created, jane.Client.PostJsonAsync("/api/v1/users", """{"login":"bob","name":"Bob","email":"bob@example.com"}"""));
    }

    [Fact]
    public async Task Patch_TheOnlyAdministratorLosingTheFlag_Is409()
    {
        using var response = await Admin.PatchAsync("/api/v1/users/admin", Http.Json("""{"admin":false}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("only administrator", (string)(await response.ReadJsonAsync())["detail"]!);
        Assert.True((bool)(await Admin.GetJsonAsync("/api/v1/users/admin"))["admin"]!);
    }

    [Fact]
    public async Task TwoAdministratorsRevokingEachOtherAtOnce_LeaveOneAdministrator()
    {
        for (var round = 0; round < 5; round++)
        {
            var login = $"second{round}";
            var second = await server.CreateUserAsync(login, admin: true);

            var first = Admin.PatchAsync($"/api/v1/users/{login}", Http.Json("""{"admin":false}"""));
            var other = second.Client.PatchAsync("/api/v1/users/admin", Http.Json("""{"admin":false}"""));
            using var byAdmin = await first;
            using var bySecond = await other;

            var admins = (await Users.ExpectAsync(HttpStatusCode.OK, second.Client.GetAsync("/api/v1/users"))).AsArray().Count(u => (bool)u!["admin"]!);
            Assert.True(admins == 1, $"round {round}: {admins} administrators left; answers {(int)byAdmin.StatusCode} and {(int)bySecond.StatusCode}");
            // Back to 'admin' as the only administrator for the next round.
            if ((bool)(await second.Client.GetJsonAsync("/api/v1/me"))["admin"]!)
            {
                await Users.ExpectAsync(HttpStatusCode.OK, second.Client.PatchAsync("/api/v1/users/admin", Http.Json("""{"admin":true}""")));
                await Users.ExpectAsync(HttpStatusCode.OK, Admin.PatchAsync($"/api/v1/users/{login}", Http.Json("""{"admin":false}""")));
            }
        }
    }

    [Fact]
    public async Task Patch_InvalidOrUnknown_Is400Or404()
    {
        await server.CreateUserAsync("jane");

        using var invalid = await Admin.PatchAsync("/api/v1/users/jane", Http.Json("""{"email":"nope","password":"x"}"""));
        using var unknown = await Admin.PatchAsync("/api/v1/users/nobody", Http.Json("""{"name":"N"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.ReadJsonAsync())["errors"]!.AsObject();
        Assert.Equal(["email", "password"], errors.Select(e => e.Key).Order());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("jane@example.test", (string)(await Admin.GetJsonAsync("/api/v1/users/jane"))["email"]!);
    }

    [Fact]
    public async Task NewToken_IsShownOnce_StoredAsHash_AndAuthenticatesTheUser()
    {
        await server.CreateUserAsync("jane");

        var created = await Users.ExpectAsync(HttpStatusCode.Created, Admin.PostJsonAsync("/api/v1/users/jane/tokens", """{"name":"CI"}"""));
        var secret = (string)created["token"]!;

        Assert.Matches("^[0-9a-f]{64}$", secret);
        Assert.Equal("CI", (string)created["name"]!);
        using var client = server.ClientFor(secret);
        Assert.Equal("jane", (string)(await client.GetJsonAsync("/api/v1/me"))["login"]!);
        var listed = await Admin.GetJsonAsync("/api/v1/users/jane/tokens");
        Assert.DoesNotContain(secret, listed.ToJsonString());
        Assert.Equal(["test", "CI"], listed.AsArray().Select(t => (string)t!["name"]!));
        Assert.All(listed.AsArray(), t => Assert.Equal(["id", "name", "createdAt"], t!.AsObject().Select(p => p.Key)));
        var hashes = await StoredTokenHashesAsync("jane");
        Assert.DoesNotContain(secret, hashes);
        Assert.Contains(TokenHandler.Hash(secret), hashes);
    }

    [Fact]
    public async Task Token_WithoutBody_GetsTheDefaultName()
    {
        var jane = await server.CreateUserAsync("jane");

        using var response = await jane.Client.PostAsync("/api/v1/users/jane/tokens", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("API token", (string)(await response.ReadJsonAsync())["name"]!);
    }

    [Fact]
    public async Task User_ManagesTheirOwnTokens_AndADeletedTokenIs401()
    {
        var jane = await server.CreateUserAsync("jane");
        var second = await Users.ExpectAsync(HttpStatusCode.Created, jane.Client.PostJsonAsync("/api/v1/users/jane/tokens", """{"name":"laptop"}"""));
        using var laptop = server.ClientFor((string)second["token"]!);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/v1/me")).StatusCode);

        using var deleted = await jane.Client.DeleteAsync($"/api/v1/users/jane/tokens/{(long)second["id"]!}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var refused = await laptop.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("not known", (string)(await refused.ReadJsonAsync())["detail"]!);
        Assert.Equal(["test"], (await jane.Client.GetJsonAsync("/api/v1/users/jane/tokens")).AsArray().Select(t => (string)t!["name"]!));
    }

    [Fact]
    public async Task OtherUsersTokens_AreRefusedToNonAdmins_AndNothingChanges()
    {
        var jane = await server.CreateUserAsync("jane");
        var bob = await server.CreateUserAsync("bob");
        var bobsToken = (long)(await Admin.GetJsonAsync("/api/v1/users/bob/tokens"))[0]!["id"]!;
        string[] observed = ["/api/v1/users/bob/tokens", "/api/v1/users/admin/tokens"];

        await server.AssertRefusedAsync(jane.Client, HttpMethod.Post, "/api/v1/users/bob/tokens", """{"name":"stolen"}""", observed);
        await server.AssertRefusedAsync(jane.Client, HttpMethod.Post, "/api/v1/users/admin/tokens", null, observed);
        await server.AssertRefusedAsync(jane.Client, HttpMethod.Get, "/api/v1/users/bob/tokens", null, observed);
        await server.AssertRefusedAsync(jane.Client, HttpMethod.Delete, $"/api/v1/users/bob/tokens/{bobsToken}", null, observed);
        Assert.Equal(HttpStatusCode.OK, (await bob.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task DeleteToken_OfAnotherUserOrUnknown_Is404()
    {
        var jane = await server.CreateUserAsync("jane");
        var adminToken = (long)(await Admin.GetJsonAsync("/api/v1/users/admin/tokens"))[0]!["id"]!;

        using var notJanes = await jane.Client.DeleteAsync($"/api/v1/users/jane/tokens/{adminToken}");
        using var unknown = await Admin.DeleteAsync("/api/v1/users/jane/tokens/999999");
        using var noUser = await Admin.PostAsync("/api/v1/users/nobody/tokens", null);

        Assert.Equal(HttpStatusCode.NotFound, notJanes.StatusCode);
        Assert.Equal("User 'jane' has no token " + adminToken + ".", (string)(await notJanes.ReadJsonAsync())["detail"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task AdminToken_IsAUserTokenOfTheAdministrator()
    {
        var tokens = await Admin.GetJsonAsync("/api/v1/users/admin/tokens");

        Assert.Equal(["start-up admin token"], tokens.AsArray().Select(t => (string)t!["name"]!));
        Assert.True((bool)(await Admin.GetJsonAsync("/api/v1/me"))["admin"]!);
    }

    private async Task<UserRow> StoredUserAsync(string login)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Login == login);
    }

    private async Task<List<string>> StoredTokenHashesAsync(string login)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        return await db.Tokens.AsNoTracking().Where(t => t.Login == login).Select(t => t.Hash).ToListAsync();
    }
}
