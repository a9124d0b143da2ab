using System.Data.Common;
using System.Net;
using Microsoft.Data.Sqlite;
using Klaxon.Infrastructure;
using Npgsql;

namespace Klaxon.Tests;

public sealed class PersistenceTests
{
    [Fact]
    public async Task Restart_OnTheSameDataFolder_KeepsCalendarsAndTheirAnswers()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client.CreateAsync(Calendars.Emea);
        await server.Client.CreateAsync(Calendars.Berlin);
        using (await server.Client.PutJsonAsync("/api/v1/calendars/berlin", Calendars.Berlin.Replace("Berlin office", "Berlin HQ"))) { }

        await server.RestartAsync();

        Http.AssertSameJson(Calendars.Emea, await server.Client.GetJsonAsync("/api/v1/calendars/emea"));
        using var berlin = await server.Client.GetAsync("/api/v1/calendars/berlin");
        Assert.Equal("\"2\"", berlin.Headers.ETag?.Tag);
        Assert.Equal("Berlin HQ", (string)(await berlin.ReadJsonAsync())["name"]!);
        var answer = await server.Client.GetJsonAsync("/api/v1/calendars/berlin/add?from=2026-03-27T14:00:00Z&duration=PT4H");
        Assert.Equal("2026-03-30T09:00:00Z", (string)answer["result"]!);
    }

    [Fact]
    public async Task Restart_KeepsDeletions()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client.CreateAsync(Calendars.Berlin);
        using (await server.Client.DeleteAsync("/api/v1/calendars/berlin")) { }

        await server.RestartAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/calendars/berlin")).StatusCode);
    }

    [Fact]
    public async Task Start_AppliesTheMigrationsAndStoresTheSystemCalendar()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Client.CreateAsync(Calendars.Berlin);

        await using var connection = await server.OpenDatabaseAsync();

        Assert.Equal(AllMigrations, await connection.ColumnAsync(AppliedMigrations));
        Assert.Equal(["id", "name", "definition", "version", "updated_at"], await connection.ColumnAsync(server.Storage.IsSqlite
            ? "SELECT name FROM pragma_table_info('calendars')"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'calendars' ORDER BY ordinal_position"));
        // Instants are Unix milliseconds from the (manual) clock: 2026-03-27T14:00:00Z.
        Assert.Equal(["berlin|Berlin office|1|1774620000000", "system|System calendar|1|1774620000000"],
            await connection.ColumnAsync("SELECT id || '|' || name || '|' || version || '|' || updated_at FROM calendars ORDER BY id"));
        Assert.Equal([Calendars.Berlin.Replace("}", ""","weeklyHours":[],"specialDays":[]}""")],
            await connection.ColumnAsync("SELECT definition FROM calendars WHERE id = 'berlin'"));
    }

    [Fact]
    public async Task Start_OnAnExistingDatabase_AppliesNothingTwice()
    {
        await using var server = await RunningServer.StartAsync();

        await server.RestartAsync();
        await server.RestartAsync();

        await using var connection = await server.OpenDatabaseAsync();
        Assert.Equal(AllMigrations, await connection.ColumnAsync(AppliedMigrations));
        Assert.Equal(["system"], await connection.ColumnAsync("SELECT id FROM calendars"));
    }

    /// <summary>Every migration the program carries, in order: each is applied exactly once.</summary>
    private static readonly List<string> AllMigrations = [.. typeof(KlaxonDbContext).Assembly.GetTypes()
        .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Cast<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>().SingleOrDefault()?.Id)
        .OfType<string>().Order(StringComparer.Ordinal)];

    [Fact]
    public void TheProgramCarriesTheCalendarAndTrackingMigrations() =>
        Assert.Equal(["20261122000001_Calendars", "20261122000002_Tracking", "20261122000003_ItemListing", "20261122000004_HistoryTransition", "20261122000005_Escalation", "20261122000006_Notifications", "20261122000007_OnCall", "20261122000008_ChangeMessages", "20261122000010_ConfigVersion"], AllMigrations);

    [Fact]
    public async Task Storage_IsTheBackendTheTestRunAskedFor()
    {
        await using var server = await RunningServer.StartAsync();

        // SQLite keeps klaxon.db in the data folder; on PostgreSQL the folder holds no database file.
        Assert.Equal(RunningServer.Backend == TestBackend.Sqlite, server.Storage.IsSqlite);
        Assert.Equal(server.Storage.IsSqlite, File.Exists(Path.Combine(server.DataDirectory, StorageLocation.SqliteFileName)));
        await using var connection = await server.OpenDatabaseAsync();
        Assert.Equal(server.Storage.IsSqlite ? "SqliteConnection" : "NpgsqlConnection", connection.GetType().Name);
        Assert.Equal(AllMigrations, await connection.ColumnAsync(AppliedMigrations));
    }

    private const string AppliedMigrations = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"";
}
