using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Klaxon.Bench;

/// <summary>
/// A load driver for the escalation engine on the real clock, against real servers (<c>KlaxonServer.CreateAsync</c>,
/// Kestrel on loopback) on SQLite and on a throwaway PostgreSQL:
/// <list type="number">
/// <item><b>fire</b>: N escalations (default 10,000) due at the same instant, each notifying one user; how long
/// until the last one fired (SQLite with one node; PostgreSQL with two nodes on one database).</item>
/// <item><b>latency</b>: 100,000 pending escalations in the queue and 1,000 probes falling due one every 20 ms;
/// the delay between each probe's due and its firing (p50, p99, max).</item>
/// <item><b>reschedule</b>: PATCH of an item whose tracker has 5 groups × 3 rules (every change recomputes its
/// schedule) against the same PATCH on a tracker without groups; the difference of the medians is what
/// rescheduling adds to the API call.</item>
/// </list>
/// <c>dotnet run -c Release --project bench/Klaxon.Bench -- escalations [--fire N] [--pending N] [--patches N] [--backend sqlite|postgres|both]</c>
/// </summary>
public static class EscalationLoad
{
    private const string Token = "bench-admin-token";
    private const string Project = "ESC";

    private const string Tracker = """
        {"key":"TASK","name":"Task","workflow":{"statuses":["New","Done"],"initial":"New","transitions":[{"name":"Finish","from":"New","to":"Done","roles":["Project Admin"]}]}}
        """;

    private const string NowGroup = """
        {"name":"Due now","tracker":"TASK","filter":"status == \"New\"","rules":[{"name":"Now","anchor":"submittedAt","basis":"calendar","actions":{"notify":{"submitter":true}}}]}
        """;

    public sealed record Result(string Backend, int Nodes, int Fired, double AllFiredMs, Latency? Delay, int Pending, ItemsLoad.Latency? Plain, ItemsLoad.Latency? Scheduled);

    public sealed record Latency(double P50, double P99, double Max, int Count);

    public static async Task RunAsync(string[] args)
    {
        int Option(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var fire = Option("--fire", 10_000);
        var pending = Option("--pending", 100_000);
        var patches = Option("--patches", 500);
        var backend = Array.IndexOf(args, "--backend") is var b and >= 0 && b + 1 < args.Length ? args[b + 1] : "both";

        var results = new List<Result>();
        if (backend is "sqlite" or "both")
            results.Add(await BenchRun.InTemporaryFolderAsync(folder => MeasureAsync("SQLite", new StorageLocation(folder), nodes: 1, fire, pending, patches)));
        if (backend is "postgres" or "both")
        {
            using var postgres = BenchPostgres.Start();
            results.Add(await BenchRun.InTemporaryFolderAsync(folder => MeasureAsync(postgres.Version, new StorageLocation(folder, postgres.ConnectionString), nodes: 2, fire, pending, patches)));
        }
        Console.WriteLine();
        Console.WriteLine(Table(results, args));
    }

    private static async Task<Result> MeasureAsync(string name, StorageLocation storage, int nodes, int fire, int pending, int patches)
    {
        var servers = new List<WebApplication>();
        try
        {
            for (var n = 0; n < nodes; n++)
            {
                var server = await KlaxonServer.CreateAsync(new ServerSettings
                {
                    AdminToken = Token, Storage = storage, Urls = "http://127.0.0.1:0", MinimumLogLevel = LogLevel.Warning,
                });
                await server.StartAsync();
                servers.Add(server);
            }
            using var client = BenchRun.Client(servers[0], Token);
            await BenchRun.SendAsync(client, HttpMethod.Post, "/api/v1/projects", $$"""{"key":"{{Project}}","name":"Escalation benchmark"}""");
            await BenchRun.SendAsync(client, HttpMethod.Post, $"/api/v1/projects/{Project}/trackers", Tracker);
            var group = (long)(await BenchRun.SendAsync(client, HttpMethod.Post, $"/api/v1/projects/{Project}/escalation-groups", NowGroup))["id"]!;

            // 1. Throughput: every escalation due at the same instant, three seconds from now.
            var due = SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds() + 3_000;
            await SeedAsync(storage, servers, group, from: 1, count: fire, dueOf: _ => due);
            var (fired, lastFired) = await WaitForAsync(storage, fire, TimeSpan.FromMinutes(5));
            var messages = await CountAsync(storage, "SELECT COUNT(*) FROM messages");
            if (messages != fire) throw new InvalidOperationException($"{fire} escalations fired but {messages} messages were recorded.");
            Console.WriteLine($"{name}: {fired} escalations due at one instant all fired {lastFired - due} ms after it ({nodes} node(s))");

            // 2. Latency: a deep queue of later escalations, and probes falling due one every 20 ms.
            const int probes = 1_000;
            var start = SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds() + 20_000 + pending / 10;
            var farAway = start + 7L * 86_400_000;
            await SeedAsync(storage, servers, group, from: fire + 1, count: pending + probes, dueOf: n => n <= fire + probes ? start + (n - fire) * 20L : farAway + n);
            Console.WriteLine($"{name}: {pending + probes} more escalations pending; probes start in {(start - SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds()) / 1000.0:F1} s");
            await WaitForAsync(storage, fire + probes, TimeSpan.FromMinutes(5));
            var delays = await DelaysAsync(storage, fire + 1, fire + probes);
            Console.WriteLine($"{name}: fire delay p50 {delays.P50} ms, p99 {delays.P99} ms, max {delays.Max} ms");

            // 3. Rescheduling on update: the same PATCH on a tracker without groups and on one with 5 groups × 3 rules.
            var (plain, scheduled) = await RescheduleCostAsync(client, patches);
            Console.WriteLine($"{name}: PATCH median {plain.Median:F2} ms without groups, {scheduled.Median:F2} ms with 5 groups × 3 rules");
            return new Result(name, nodes, fired, lastFired - due, delays, pending, plain, scheduled);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.StopAsync();
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Writes items <paramref name="from"/>…<c>from + count - 1</c> of TASK, each submitted at its due, with one
    /// pending escalation of the group's rule at that due (multi-row INSERTs in one transaction), and wakes the
    /// dispatchers.
    /// </summary>
    private static async Task SeedAsync(StorageLocation storage, List<WebApplication> servers, long group, int from, int count, Func<int, long> dueOf)
    {
        await using var db = new KlaxonDbContext(storage.Options());
        await db.Database.OpenConnectionAsync();
        var now = SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var connection = db.Database.GetDbConnection();
            const int batch = 1_000;
            for (var first = from; first < from + count; first += batch)
            {
                var items = new StringBuilder("""
                    INSERT INTO items (key, project_key, tracker_key, number, summary, status, submitter, submitted_at, assigned_to, supervisors, fields, version, updated_at) VALUES
                    """);
                for (var n = first; n < first + batch && n < from + count; n++)
                    items.Append(n == first ? "\n" : ",\n").Append(CultureInfo.InvariantCulture,
                        $"('TASK-{n}', '{Project}', 'TASK', {n}, 'Task {n}', 'New', 'admin', {dueOf(n)}, '[]', '[]', '{{}}', 1, {now})");
                await ExecuteAsync(connection, transaction, items.ToString());
            }
            await ExecuteAsync(connection, transaction, $"""
                INSERT INTO escalations (item_id, kind, group_id, rule, rule_name, due, status, late, created_at)
                SELECT id, 'escalation', {group}, 0, 'Now', submitted_at, 'pending', FALSE, {now} FROM items
                WHERE tracker_key = 'TASK' AND number >= {from} AND number < {from + count}
                """);
            await ExecuteAsync(connection, transaction, $"UPDATE trackers SET next_number = {from + count} WHERE key = 'TASK'");
            await transaction.CommitAsync();
        }
        if (!storage.IsSqlite)
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE items");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE escalations");
        }
        // The rows were written behind the servers' backs: wake their dispatchers as the API's rescheduling would.
        foreach (var server in servers) server.Services.GetRequiredService<DispatchSignal>().Wake();
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until <paramref name="count"/> escalations have fired; returns the count and the last firing (Unix ms).</summary>
    private static async Task<(int Fired, long LastFired)> WaitForAsync(StorageLocation storage, int count, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var fired = await CountAsync(storage, "SELECT COUNT(*) FROM escalations WHERE status = 'fired'");
            if (fired >= count) return ((int)fired, await CountAsync(storage, "SELECT MAX(fired_at) FROM escalations WHERE status = 'fired'"));
            if (watch.Elapsed > timeout) throw new TimeoutException($"only {fired} of {count} escalations fired in {timeout}.");
            await Task.Delay(100);
        }
    }

    private static async Task<Latency> DelaysAsync(StorageLocation storage, int fromNumber, int toNumber)
    {
        await using var db = new KlaxonDbContext(storage.Options());
        var delays = await db.Escalations.AsNoTracking()
            .Join(db.Items, e => e.ItemId, i => i.Id, (e, i) => new { i.Number, e.Status, e.Due, e.FiredAt })
            .Where(x => x.Number >= fromNumber && x.Number <= toNumber)
            .ToListAsync();
        if (delays.Any(d => d.Status != EscalationState.Fired)) throw new InvalidOperationException("Some probes did not fire.");
        var sorted = delays.Select(d => (double)(d.FiredAt!.Value - d.Due!.Value)).Order().ToList();
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        return new Latency(At(0.5), At(0.99), sorted[^1], sorted.Count);
    }

    private static async Task<(ItemsLoad.Latency Plain, ItemsLoad.Latency Scheduled)> RescheduleCostAsync(HttpClient client, int patches)
    {
        foreach (var key in new[] { "PLAIN", "SCHED" })
            await BenchRun.SendAsync(client, HttpMethod.Post, $"/api/v1/projects/{Project}/trackers", Tracker.Replace("\"TASK\"", $"\"{key}\"").Replace("\"Task\"", $"\"{key}\""));
        string[] filters = ["true", "priority <= 3", "severity == 1 or priority == 1", "status == \"New\"", "estimatedHours >= 0 or true"];
        foreach (var (filter, g) in filters.Select((f, g) => (f, g)))
        {
            var group = new JsonObject
            {
                ["name"] = $"Group {g + 1}", ["tracker"] = "SCHED", ["filter"] = filter,
                ["rules"] = new JsonArray(
                    new JsonObject { ["name"] = "Respond", ["anchor"] = "submittedAt", ["limit"] = "(priority == 1 or priority == 2) ? 1 : 4", ["unit"] = "hours", ["basis"] = "working", ["actions"] = new JsonObject { ["notify"] = new JsonObject { ["assignees"] = true } } },
                    new JsonObject { ["name"] = "Escalate", ["anchor"] = "submittedAt", ["limit"] = $"{g + 2}", ["unit"] = "days", ["basis"] = "working", ["actions"] = new JsonObject { ["notify"] = new JsonObject { ["submitter"] = true } } },
                    new JsonObject { ["name"] = "Remind", ["anchor"] = "afterLastEscalation", ["limit"] = "8", ["unit"] = "hours", ["basis"] = "calendar", ["actions"] = new JsonObject { ["notify"] = new JsonObject { ["submitter"] = true } } }),
            };
            await BenchRun.SendAsync(client, HttpMethod.Post, $"/api/v1/projects/{Project}/escalation-groups", group.ToJsonString());
        }
        var result = new List<ItemsLoad.Latency>();
        foreach (var tracker in new[] { "PLAIN", "SCHED" })
        {
            var keys = new List<string>();
            for (var i = 0; i < 50; i++)
                keys.Add((string)(await BenchRun.SendAsync(client, HttpMethod.Post, $"/api/v1/projects/{Project}/items", $$"""{"tracker":"{{tracker}}","summary":"Patched {{i}}","priority":3}"""))["key"]!);
            var times = new List<double>(patches);
            for (var i = -50; i < patches; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await BenchRun.SendAsync(client, HttpMethod.Patch, $"/api/v1/items/{keys[(i + 50) % keys.Count]}", $$"""{"priority":{{(i + 50) / keys.Count % 4 + 1}}}""");
                if (i >= 0) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            result.Add(ItemsLoad.Latency.Of(times));
        }
        return (result[0], result[1]);
    }

    private static async Task<long> CountAsync(StorageLocation storage, string sql)
    {
        await using var db = new KlaxonDbContext(storage.Options());
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    private static string Table(List<Result> results, string[] args)
    {
        var text = BenchRun.Header(args);
        text.AppendLine("| Database | Nodes | Due at one instant: all fired after | Fire delay with the queue (probes): p50 / p99 / max | PATCH median: no groups / 5 groups × 3 rules (added) |");
        text.AppendLine("| --- | ---: | ---: | --- | --- |");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Backend} | {r.Nodes} | {r.Fired:N0} in {r.AllFiredMs / 1000:F2} s | {r.Delay!.P50:F0} / {r.Delay.P99:F0} / {r.Delay.Max:F0} ms ({r.Delay.Count:N0} probes, {r.Pending:N0} pending) | " +
                $"{r.Plain!.Median:F2} / {r.Scheduled!.Median:F2} ms (+{r.Scheduled.Median - r.Plain.Median:F2} ms) |");
        }
        return text.ToString();
    }
}
