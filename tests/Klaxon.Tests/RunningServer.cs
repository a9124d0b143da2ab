using System.Data.Common;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Klaxon.Core;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;

namespace Klaxon.Tests;

/// <summary>The database the API tests run on, chosen by KLAXON_TEST_BACKEND (<c>sqlite</c>, the default, or <c>postgres</c>).</summary>
public enum TestBackend
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real Klaxon host on Kestrel at a free loopback port, with its own temporary data folder, a fixed admin
/// token and, unless told otherwise, the manual clock at <see cref="Start"/>. Data is stored in a real SQLite
/// file in the data folder, or, with KLAXON_TEST_BACKEND=postgres, in a fresh PostgreSQL database of its own
/// (<see cref="TestPostgres.NewDatabase"/>), kept across restarts and dropped on dispose.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string Token = "test-admin-token";

    /// <summary>Friday 2026-03-27 15:00 in Berlin (CET), two days before the change to summer time.</summary>
    public static readonly Instant Start = Instant.FromUtc(2026, 3, 27, 14, 0);

    /// <summary>The backend every server of this test run uses.</summary>
    public static TestBackend Backend { get; } = ReadBackend(Environment.GetEnvironmentVariable("KLAXON_TEST_BACKEND"));

    private readonly bool manualClock;
    private readonly bool ownsDataDirectory;
    private readonly List<HttpClient> userClients = [];

    private RunningServer(StorageLocation storage, bool ownsDataDirectory, bool manualClock, Delivery.DeliverySettings? delivery = null)
    {
        Storage = storage;
        Delivery = delivery ?? new Delivery.DeliverySettings();
        this.ownsDataDirectory = ownsDataDirectory;
        this.manualClock = manualClock;
    }

    /// <summary>How this server delivers mail and webhooks (by default: no mail).</summary>
    public Delivery.DeliverySettings Delivery { get; }

    /// <summary>Where this server keeps its data: the data folder and, on PostgreSQL, the connection string.</summary>
    public StorageLocation Storage { get; }

    public string DataDirectory => Storage.DataDirectory;

    /// <summary>
    /// The command-line options that name this server's storage, for <c>klaxon</c> commands run on it directly:
    /// <c>--data DIR</c>, plus <c>--db CONNECTION</c> on PostgreSQL.
    /// </summary>
    public string[] StorageArguments => StorageArgumentsFor(Storage);

    public static string[] StorageArgumentsFor(StorageLocation storage) =>
        storage.PostgresConnection is { } db ? ["--data", storage.DataDirectory, "--db", db] : ["--data", storage.DataDirectory];

    /// <summary>A storage location of the test backend for a command to create: the folder, and a new empty database on PostgreSQL.</summary>
    public static StorageLocation NewStorage(string dataDirectory) =>
        new(dataDirectory, Backend == TestBackend.Postgres ? TestPostgres.NewDatabase() : null);

    /// <summary>Removes what <see cref="NewStorage"/> made: the folder, and the database on PostgreSQL.</summary>
    public static void DeleteStorage(StorageLocation storage)
    {
        if (storage.PostgresConnection is { } db) TestPostgres.DropDatabase(db);
        if (Directory.Exists(storage.DataDirectory)) Directory.Delete(storage.DataDirectory, recursive: true);
    }

    /// <summary>The server's database, opened directly (its SQLite file, or its PostgreSQL database), as another writer would.</summary>
    public async Task<DbConnection> OpenDatabaseAsync()
    {
        DbConnection connection = Storage.PostgresConnection is { } postgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={Storage.SqlitePath};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public WebApplication App { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client that sends no token.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>A client that sends <paramref name="token"/>; disposed with the server (make a new one after a restart).</summary>
    public HttpClient ClientFor(string token)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        userClients.Add(client);
        return client;
    }

    public static async Task<RunningServer> StartAsync(bool manualClock = true, string? dataDirectory = null, Delivery.DeliverySettings? delivery = null)
    {
        var postgres = Backend == TestBackend.Postgres ? Pooled(TestPostgres.NewDatabase()) : null;
        var server = new RunningServer(new StorageLocation(dataDirectory ?? NewDataDirectory(), postgres), ownsDataDirectory: dataDirectory is null, manualClock, delivery);
        try
        {
            await server.StartHostAsync();
        }
        catch
        {
            if (postgres is not null) TestPostgres.DropDatabase(postgres);
            throw;
        }
        return server;
    }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "klaxon-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Stops the host and starts a new one on the same data folder.</summary>
    public async Task RestartAsync()
    {
        await StopHostAsync();
        await StartHostAsync();
    }

    /// <summary>Stops the host, leaving its data folder as it is (the server cannot be started again).</summary>
    public Task StopAsync() => App.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        if (Storage.PostgresConnection is { } postgres)
        {
            await using (var pooled = new NpgsqlConnection(postgres)) NpgsqlConnection.ClearPool(pooled);
            TestPostgres.DropDatabase(postgres);
        }
        if (ownsDataDirectory && Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }

    // A pooled connection saves a PostgreSQL backend start per request; the pool is cleared before the database is dropped.
    private static string Pooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true }.ConnectionString;

    private static TestBackend ReadBackend(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => TestBackend.Sqlite,
        "postgres" or "postgresql" => TestBackend.Postgres,
        _ => throw new InvalidOperationException($"KLAXON_TEST_BACKEND is '{value}'; use 'sqlite' (the default) or 'postgres'."),
    };

    private async Task StartHostAsync()
    {
        App = await KlaxonServer.CreateAsync(new ServerSettings
        {
            AdminToken = Token,
            Storage = Storage,
            Urls = "http://127.0.0.1:0",
            Clock = manualClock ? new ManualClock(Start) : SystemClock.Instance,
            MinimumLogLevel = LogLevel.Warning,
            Delivery = Delivery,
        });
        await App.StartAsync();
        Address = new Uri(KlaxonServer.Addresses(App).Single());
        Anonymous = new HttpClient { BaseAddress = Address };
        Client = new HttpClient { BaseAddress = Address };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    private async Task StopHostAsync()
    {
        foreach (var client in userClients) client.Dispose();
        userClients.Clear();
        Client.Dispose();
        Anonymous.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Small helpers for JSON over HTTP in tests.</summary>
public static class Http
{
    /// <summary>The first column of what <paramref name="sql"/> selects, as text.</summary>
    public static async Task<List<string>> ColumnAsync(this DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return values;
    }

    /// <summary>Runs a statement; the number of rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) => client.PostAsync(path, Json(json));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, string json) => client.PutAsync(path, Json(json));

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("The response body is JSON null.");

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>The body as stored text, to compare before and after a refused request.</summary>
    public static async Task<string> GetTextAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    public static void AssertSameJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}{Environment.NewLine}but got {actual?.ToJsonString()}");
}

/// <summary>Calendars used across tests, written exactly as a client sends them.</summary>
public static class Calendars
{
    /// <summary>The body shape of the issue, with every kind of entry.</summary>
    public const string Emea = """
        {"id":"emea","name":"EMEA support","timeZone":"Europe/Berlin","parent":"system","weeklyHours":[{"weekday":"Saturday","hours":"09:00-12:00","validFrom":"2009-07-01","validUntil":"2009-12-31"}],"specialDays":[{"name":"Christmas Eve","yearly":"12-24","kind":"shortened","hours":"09:00-13:00"},{"name":"German Unity Day","yearly":"06-17","fromYear":1954,"untilYear":1990,"kind":"holiday"},{"name":"Sale","date":"2009-08-02","kind":"workday","hours":"10:00-16:00"}]}
        """;

    /// <summary>The system calendar's Monday–Friday 09:00–17:00, in Berlin time.</summary>
    public const string Berlin = """{"id":"berlin","name":"Berlin office","timeZone":"Europe/Berlin","parent":"system"}""";

    /// <summary>Sundays 01:00–04:00 in Berlin: across both DST changes of 2026.</summary>
    public const string NightShift = """{"id":"night","name":"Night shift","timeZone":"Europe/Berlin","weeklyHours":[{"weekday":"Sunday","hours":"01:00-04:00"}]}""";

    public static async Task CreateAsync(this HttpClient client, string json)
    {
        using var response = await client.PostJsonAsync("/api/v1/calendars", json);
        Assert.True(response.IsSuccessStatusCode, $"Creating a calendar answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
