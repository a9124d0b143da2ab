using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Klaxon.Bench;

/// <summary>
/// A load driver for items and views over the real server (<c>KlaxonServer.CreateAsync</c>, Kestrel on a loopback
/// port, one HTTP connection): seeds items in one project by bulk insert, then measures the first page of a view
/// (<c>status == "New" and priority &lt;= 2</c>), the same filter ad hoc, and creating items through the API, on
/// SQLite and on a throwaway PostgreSQL. Prints a Markdown table.
/// <c>dotnet run -c Release --project bench/Klaxon.Bench -- items [--items N] [--requests N] [--creates N] [--backend sqlite|postgres|both]</c>
/// </summary>
public static class ItemsLoad
{
    private const string Token = "bench-admin-token";
    private const string Project = "BEN";
    private const string Filter = "status == \"New\" and priority <= 2";
    private static readonly string[] Statuses = ["New", "Open", "In Progress", "Resolved", "Closed"];
    private static readonly string[] Regions = ["EMEA", "APAC", "AMER"];

    public sealed record Result(string Backend, int Items, int Matching, Latency View, Latency Adhoc, double CreatesPerSecond, int Creates, TimeSpan Seeding);

    public sealed record Latency(double Median, double P95, double Max, int Requests)
    {
        public static Latency Of(List<double> milliseconds)
        {
            var sorted = milliseconds.Order().ToList();
            double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
            return new Latency(sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2, At(0.95), sorted[^1], sorted.Count);
        }
    }

    public static async Task RunAsync(string[] args)
    {
        int Option(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var items = Option("--items", 100_000);
        var requests = Option("--requests", 100);
        var creates = Option("--creates", 2_000);
        var backend = Array.IndexOf(args, "--backend") is var b and >= 0 && b + 1 < args.Length ? args[b + 1] : "both";

        var results = new List<Result>();
        if (backend is "sqlite" or "both")
        {
            results.Add(await BenchRun.InTemporaryFolderAsync(folder => MeasureAsync("SQLite " + SqliteVersion(), new StorageLocation(folder), items, requests, creates)));
        }
        if (backend is "postgres" or "both")
        {
            using var postgres = BenchPostgres.Start();
            results.Add(await BenchRun.InTemporaryFolderAsync(folder => MeasureAsync(postgres.Version, new StorageLocation(folder, postgres.ConnectionString), items, requests, creates)));
        }
        Console.WriteLine();
        Console.WriteLine(Table(results, args));
    }

    private static async Task<Result> MeasureAsync(string name, StorageLocation storage, int itemCount, int requests, int creates)
    {
        Console.WriteLine($"{name}: starting the server");
        await using var app = await KlaxonServer.CreateAsync(new ServerSettings
        {
            AdminToken = Token,
            Storage = storage,
            Urls = "http://127.0.0.1:0",
            MinimumLogLevel = LogLevel.Warning,
        });
        await app.StartAsync();
        using var client = BenchRun.Client(app, Token);

        await BenchRun.SendAsync(client, HttpMethod.Post, "/api/v1/projects", $$"""{"key":"{{Project}}","name":"Benchmark"}""");
        var seeding = Stopwatch.StartNew();
        var matching = await SeedAsync(storage, itemCount);
        seeding.Stop();
        Console.WriteLine($"{name}: {itemCount} items seeded in {seeding.Elapsed.TotalSeconds:F1} s ({matching} match the filter)");

        var view = await BenchRun.SendAsync(client, HttpMethod.Post, $"/api/v1/projects/{Project}/views",
            JsonSerializer.Serialize(new { name = "Urgent new incidents", tracker = "INC", filter = Filter, @public = true }));
        var viewPage = $"/api/v1/projects/{Project}/views/{(long)view["id"]!}/items";
        var adhocPage = $"/api/v1/projects/{Project}/items?tracker=INC&filter={Uri.EscapeDataString(Filter)}";

        var first = await BenchRun.SendAsync(client, HttpMethod.Get, viewPage);
        if ((int)first["total"]! != matching || first["items"]!.AsArray().Count != Math.Min(50, matching))
            throw new InvalidOperationException($"The view answered {first["total"]} items in all and {first["items"]!.AsArray().Count} on the page; the seed has {matching}.");
        var viewLatency = await TimeAsync(client, viewPage, requests);
        Console.WriteLine($"{name}: view first page: median {viewLatency.Median:F2} ms, p95 {viewLatency.P95:F2} ms");
        var adhocLatency = await TimeAsync(client, adhocPage, requests);
        Console.WriteLine($"{name}: ad-hoc filter first page: median {adhocLatency.Median:F2} ms, p95 {adhocLatency.P95:F2} ms");

        // Creating items: one connection, one request at a time, after a warm-up long enough for the runtime to
        // have compiled the request path's hot methods at their final tier, as on a server that has been running.
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; i < 1_000; i++) await CreateItemAsync(client, i);
        Console.WriteLine($"{name}: warm-up: created 1000 items in {warmUp.Elapsed.TotalSeconds:F2} s: {1_000 / warmUp.Elapsed.TotalSeconds:F0} items/s");
        // The process's processor time per item (client and server together) says how much work a creation is,
        // which, unlike the rate, does not depend on what else the machine is doing.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < creates; i++) await CreateItemAsync(client, i);
        watch.Stop();
        var cpuPerItem = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / creates;
        var perSecond = creates / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: created {creates} items in {watch.Elapsed.TotalSeconds:F2} s: {perSecond:F0} items/s, {cpuPerItem:F2} ms of processor time each");

        await app.StopAsync();
        return new Result(name, itemCount, matching, viewLatency, adhocLatency, perSecond, creates, seeding.Elapsed);
    }

    private static async Task<Latency> TimeAsync(HttpClient client, string path, int requests)
    {
        for (var i = 0; i < 20; i++) await BenchRun.SendAsync(client, HttpMethod.Get, path);
        var times = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }
        return Latency.Of(times);
    }

    private static async Task CreateItemAsync(HttpClient client, int i)
    {
        var body = JsonSerializer.Serialize(new
        {
            tracker = "INC",
            summary = $"Created through the API {i}",
            priority = i % 5 + 1,
            severity = i % 3 + 1,
            fields = new { region = Regions[i % Regions.Length] },
        });
        using var response = await client.PostAsync($"/api/v1/projects/{Project}/items", new StringContent(body, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Creating an item answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Writes tracker INC and <paramref name="count"/> items straight into the database (multi-row INSERTs in one
    /// transaction): statuses New/Open/In Progress/Resolved/Closed, priority 1–5 or empty, a region, submitted over
    /// the past year. Returns how many match the benchmark's filter.
    /// </summary>
    private static async Task<int> SeedAsync(StorageLocation storage, int count)
    {
        await using var db = new KlaxonDbContext(storage.Options());
        const string tracker = """
            {"key":"INC","name":"Incident","fields":[{"name":"region","type":"choice","choices":["EMEA","APAC","AMER"]}],
             "workflow":{"statuses":["New","Open","In Progress","Resolved","Closed"],"initial":"New","transitions":[]}}
            """;
        db.Trackers.Add(new TrackerRow { Key = "INC", ProjectKey = Project, Name = "Incident", Definition = tracker, NextNumber = count + 1, Version = 1 });
        await db.SaveChangesAsync();

        var random = new Random(42);
        var now = SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds();
        var matching = 0;
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var connection = db.Database.GetDbConnection();
        const int batch = 1_000;
        for (var from = 1; from <= count; from += batch)
        {
            var sql = new StringBuilder("""
                INSERT INTO items (key, project_key, tracker_key, number, summary, description, status, priority, severity, submitter, submitted_at,
                assigned_to, supervisors, start_date, end_date, estimated_hours, resolution, fields, version, updated_at) VALUES
                """);
            for (var n = from; n < from + batch && n <= count; n++)
            {
                var status = Statuses[random.Next(Statuses.Length)];
                int? priority = random.Next(20) == 0 ? null : random.Next(1, 6);
                if (status == "New" && priority <= 2) matching++;
                var submitted = now - random.NextInt64(365L * 86_400_000);
                var region = Regions[random.Next(Regions.Length)];
                sql.Append(n == from ? "\n" : ",\n").Append(CultureInfo.InvariantCulture,
                    $"('INC-{n}', '{Project}', 'INC', {n}, 'Seeded incident {n}', NULL, '{status}', {priority?.ToString(CultureInfo.InvariantCulture) ?? "NULL"}, {random.Next(1, 4)}, 'admin', {submitted}, " +
                    $"'[]', '[]', NULL, NULL, NULL, NULL, '{{\"region\":\"{region}\"}}', 1, {submitted})");
            }
            await using var command = connection.CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        // What PostgreSQL's autovacuum does within a minute of this many inserts: statistics, and the visibility map
        // that lets the count be an index-only scan. SQLite needs neither (its count reads the covering index).
        if (!storage.IsSqlite)
        {
            await db.Database.CloseConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE items");
        }
        return matching;
    }

    private static string SqliteVersion()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static string Table(List<Result> results, string[] args)
    {
        var text = BenchRun.Header(args);
        text.AppendLine("| Database | Items | Matching | View first page (50 items): median / p95 / max | Same filter ad hoc: median / p95 | Create items through the API | Seeding (bulk insert) |");
        text.AppendLine("| --- | ---: | ---: | --- | --- | ---: | ---: |");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Backend} | {r.Items:N0} | {r.Matching:N0} | {r.View.Median:F1} / {r.View.P95:F1} / {r.View.Max:F1} ms ({r.View.Requests} requests) | {r.Adhoc.Median:F1} / {r.Adhoc.P95:F1} ms | {r.CreatesPerSecond:N0} items/s ({r.Creates:N0} items) | {r.Seeding.TotalSeconds:F1} s |");
        }
        return text.ToString();
    }
}
