using System.Net;
using System.Text.Json;

namespace Klaxon.Tests;

/// <summary>
/// The server keeps tokens, permissions, trackers and escalation groups in memory while the database's
/// configuration version stays put (<c>ConfigCache</c>). These tests show that a change is seen by the very next
/// request, whether it came through the API or was written to the database by someone else (another node, the
/// command line), and that creating items, which raises a tracker's item counter, does not throw the cache away.
/// </summary>
public sealed class ConfigCacheTests : IAsyncLifetime
{
    private RunningServer server = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await server.CreateProjectAsync("SUP");
        using var tracker = await server.Client.PostJsonAsync("/api/v1/projects/SUP/trackers", SupportProject.Incident);
        Assert.Equal(HttpStatusCode.Created, tracker.StatusCode);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static string NewIncident(string summary) => JsonSerializer.Serialize(new { tracker = "INC", summary });

    private async Task<long> VersionAsync()
    {
        await using var connection = await server.OpenDatabaseAsync();
        return long.Parse((await connection.ColumnAsync("SELECT version FROM config_version")).Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task AMembershipRemovedInTheDatabaseByAnotherWriter_RefusesTheNextRequest()
    {
        var dora = await server.CreateMemberAsync("SUP", "dora", "Support Engineer");
        using (var allowed = await dora.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident("Seen while cached")))
            Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        using (var again = await dora.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident("From the cache")))
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);

        await using (var connection = await server.OpenDatabaseAsync())
            Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM members WHERE project_key = 'SUP' AND principal = 'dora'"));

        using var refused = await dora.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident("After the removal"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("dora", (string)(await refused.ReadJsonAsync())["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenDeletedInTheDatabaseByAnotherWriter_IsUnknownAtOnce()
    {
        var erin = await server.CreateUserAsync("erin");
        Assert.Equal("erin", (string)(await erin.Client.GetJsonAsync("/api/v1/me"))["login"]!);

        await using (var connection = await server.OpenDatabaseAsync())
            Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM tokens WHERE login = 'erin'"));

        using var answer = await erin.Client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    [Fact]
    public async Task ATokenRevokedThroughTheApi_IsRefusedByTheNextRequest()
    {
        var erin = await server.CreateUserAsync("erin");
        Assert.Equal("erin", (string)(await erin.Client.GetJsonAsync("/api/v1/me"))["login"]!);
        var tokens = (await server.Client.GetJsonAsync("/api/v1/users/erin/tokens")).AsArray();

        using (var revoked = await server.Client.DeleteAsync($"/api/v1/users/erin/tokens/{(long)tokens.Single()!["id"]!}"))
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await erin.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task JoiningAGroupThatHoldsARole_GrantsItsPermissionsAtOnce()
    {
        var finn = await server.CreateUserAsync("finn");
        await server.CreateGroupAsync("support");
        await server.AddGroupToProjectAsync("SUP", "support", "Support Engineer");
        using (var before = await finn.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident("Not yet")))
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);

        using (var joined = await server.Client.PutJsonAsync("/api/v1/groups/support", """{"members":["finn"]}"""))
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);

        using var after = await finn.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident("Now a member"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    [Fact]
    public async Task CreatingItemsLeavesTheVersionAlone_EditingATrackerMovesIt()
    {
        using (var first = await server.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident("First"))) Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var before = await VersionAsync();

        for (var i = 0; i < 3; i++)
            using (var created = await server.Client.PostJsonAsync("/api/v1/projects/SUP/items", NewIncident($"Item {i}")))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(before, await VersionAsync());

        // Another writer renames a choice: the next item is checked against the tracker as it is now.
        await using (var connection = await server.OpenDatabaseAsync())
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE trackers SET definition = REPLACE(definition, '\"APAC\"', '\"ASIA\"') WHERE key = 'INC'"));
        Assert.True(await VersionAsync() > before);

        using var refused = await server.Client.PostJsonAsync("/api/v1/projects/SUP/items",
            JsonSerializer.Serialize(new { tracker = "INC", summary = "Old choice", fields = new { region = "APAC" } }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var accepted = await server.Client.PostJsonAsync("/api/v1/projects/SUP/items",
            JsonSerializer.Serialize(new { tracker = "INC", summary = "New choice", fields = new { region = "ASIA" } }));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Theory]
    [InlineData("INSERT INTO \"items\" (\"assigned_to\", \"project_key\", \"tracker_key\", \"version\") VALUES (@p0, @p1, @p2, @p3) RETURNING \"id\";", false)]
    [InlineData("INSERT INTO \"history\" (\"actor\", \"item_id\") VALUES (@p0, @p1);", false)]
    [InlineData("SELECT \"u\".\"login\" FROM \"tokens\" AS \"t\" INNER JOIN \"users\" AS \"u\" ON \"t\".\"login\" = \"u\".\"login\"", false)]
    [InlineData("UPDATE \"users\" SET \"is_admin\" = @p0 WHERE \"login\" = @p1;", true)]
    [InlineData("DELETE FROM \"group_members\" AS \"g\" WHERE \"g\".\"group_name\" = @name", true)]
    [InlineData("UPDATE \"trackers\" SET \"definition\" = @p0, \"version\" = @p1 WHERE \"key\" = @p2;", true)]
    [InlineData("INSERT INTO \"escalation_groups\" (\"document\") VALUES (@p0) RETURNING \"id\";", true)]
    [InlineData("WITH moved AS (SELECT 1) DELETE FROM roles WHERE project_key = 'SUP'", true)]
    public void OnlyCommandsThatMayWriteConfiguration_MakeAContextReadTheVersionAgain(string sql, bool writes) =>
        Assert.Equal(writes, Klaxon.Infrastructure.ConfigCache.WriteWatch.MayWriteConfiguration(sql));
}
