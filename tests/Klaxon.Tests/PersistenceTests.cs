using System.Net;
using Microsoft.Data.Sqlite;
using Klaxon.Infrastructure;

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

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "klaxon.db")};Pooling=False");
        await connection.OpenAsync();

        Assert.Equal(AllMigrations, await ColumnAsync(connection, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId"));
        Assert.Equal(["id", "name", "definition", "version", "updated_at"], await ColumnAsync(connection, "SELECT name FROM pragma_table_info('calendars')"));
        // Instants are Unix milliseconds from the (manual) clock: 2026-03-27T14:00:00Z.
        Assert.Equal(["berlin|Berlin office|1|1774620000000", "system|System calendar|1|1774620000000"],
            await ColumnAsync(connection, "SELECT id || '|' || name || '|' || version || '|' || updated_at FROM calendars ORDER BY id"));
        Assert.Equal([Calendars.Berlin.Replace("}", ""","weeklyHours":[],"specialDays":[]}""")],
            await ColumnAsync(connection, "SELECT definition FROM calendars WHERE id = 'berlin'"));
    }

    [Fact]
    public async Task Start_OnAnExistingDatabase_AppliesNothingTwice()
    {
        await using var server = await RunningServer.StartAsync();

        await server.RestartAsync();
        await server.RestartAsync();

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "klaxon.db")};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal(AllMigrations, await ColumnAsync(connection, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId"));
        Assert.Equal(["system"], await ColumnAsync(connection, "SELECT id FROM calendars"));
    }

    /// <summary>Every migration the program carries, in order: each is applied exactly once.</summary>
    private static readonly List<string> AllMigrations = [.. typeof(KlaxonDbContext).Assembly.GetTypes()
        .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Cast<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>().SingleOrDefault()?.Id)
        .OfType<string>().Order(StringComparer.Ordinal)];

    [Fact]
    public void TheProgramCarriesTheCalendarAndTrackingMigrations() =>
        Assert.Equal(["20261122000001_Calendars", "20261122000002_Tracking"], AllMigrations);

    private static async Task<List<string>> ColumnAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return values;
    }
}
