using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Klaxon.Delivery;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Klaxon.Bench;

/// <summary>
/// A load driver for the outbox worker of the real server (<c>KlaxonServer.CreateAsync</c> on the real clock): it
/// records N mails and N webhook messages as outbox rows (as fires do), wakes the worker and measures how fast it
/// delivers them — mail to the local SMTP sink (<c>tests/Klaxon.Tests/smtp-sink.py</c>, aiosmtpd via
/// <c>/usr/bin/python3</c>), webhooks to a Kestrel receiver on loopback — until every row is marked sent and every
/// delivery arrived. Rate limits are set out of the way; each mail goes to its own recipient. Prints a Markdown table.
/// <c>dotnet run -c Release --project bench/Klaxon.Bench -- outbox [--mails N] [--webhooks N] [--concurrency N] [--sink-workers N] [--backend sqlite|postgres|both]</c>
/// </summary>
public static class OutboxLoad
{
    private const string Token = "bench-admin-token";

    public sealed record Result(string Backend, int Mails, double MailsPerSecond, int Webhooks, double WebhooksPerSecond, int Concurrency, int SinkWorkers);

    public static async Task RunAsync(string[] args)
    {
        int Option(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var mails = Option("--mails", 2_000);
        var hooks = Option("--webhooks", 5_000);
        var concurrency = Option("--concurrency", new DeliverySettings().Concurrency);
        var sinkWorkers = Option("--sink-workers", 2);
        var backend = Array.IndexOf(args, "--backend") is var b and >= 0 && b + 1 < args.Length ? args[b + 1] : "sqlite";

        var results = new List<Result>();
        if (backend is "sqlite" or "both")
        {
            results.Add(await BenchRun.InTemporaryFolderAsync(folder => MeasureAsync("SQLite", new StorageLocation(folder), mails, hooks, concurrency, sinkWorkers)));
        }
        if (backend is "postgres" or "both")
        {
            using var postgres = BenchPostgres.Start();
            results.Add(await BenchRun.InTemporaryFolderAsync(folder => MeasureAsync(postgres.Version, new StorageLocation(folder, postgres.ConnectionString), mails, hooks, concurrency, sinkWorkers)));
        }
        Console.WriteLine();
        Console.WriteLine($"Outbox delivery (`bench/Klaxon.Bench -- {string.Join(' ', args)}`), {Environment.ProcessorCount} cores:");
        Console.WriteLine();
        Console.WriteLine("| Storage | Mails | Mails/s | Webhooks | Webhooks/s | In flight | SMTP sink processes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            Console.WriteLine($"| {r.Backend} | {r.Mails:N0} | {r.MailsPerSecond:N0} | {r.Webhooks:N0} | {r.WebhooksPerSecond:N0} | {r.Concurrency} | {r.SinkWorkers} |");
    }

    private static async Task<Result> MeasureAsync(string label, StorageLocation storage, int mails, int hooks, int concurrency, int sinkWorkers)
    {
        var sinkFolder = Path.Combine(Path.GetTempPath(), "klaxon-bench-smtp-" + Guid.NewGuid().ToString("N"));
        using var sink = await StartSinkAsync(sinkFolder, sinkWorkers);
        await using var receiver = await Receiver.StartAsync();
        try
        {
            var delivery = new DeliverySettings
            {
                Smtp = new SmtpSettings { Host = "127.0.0.1", Port = sink.Port, From = "klaxon@bench.test" },
                PublicUrl = "http://klaxon.bench",
                RateLimit = new RateLimit(1_000_000, 1),
                Concurrency = concurrency,
            };
            await using var app = await KlaxonServer.CreateAsync(new ServerSettings
            {
                AdminToken = Token, Storage = storage, Urls = "http://127.0.0.1:0", MinimumLogLevel = LogLevel.Warning, Delivery = delivery,
            });
            await app.StartAsync();
            Console.Error.WriteLine($"{label}: {mails:N0} mails to the SMTP sink on port {sink.Port}…");
            var mailRate = await DeliverAsync(app.Services, Enumerable.Range(0, mails).Select(i => MailRow(i)).ToList(),
                () => Directory.EnumerateFiles(sinkFolder, "*.json").Count());
            Console.Error.WriteLine($"{label}: {mailRate:N0} mails/s; {hooks:N0} webhooks to {receiver.Url}…");

            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
                db.Webhooks.Add(new WebhookRow { ProjectKey = "BEN", Url = receiver.Url, Events = """["escalation"]""", Secret = "bench-secret-0123456789", Enabled = true });
                await db.SaveChangesAsync();
            }
            long hookId;
            await using (var scope = app.Services.CreateAsyncScope())
                hookId = await scope.ServiceProvider.GetRequiredService<KlaxonDbContext>().Webhooks.Select(h => h.Id).SingleAsync();
            var hookRate = await DeliverAsync(app.Services, Enumerable.Range(0, hooks).Select(i => HookRow(i, hookId)).ToList(), () => receiver.Count);
            Console.Error.WriteLine($"{label}: {hookRate:N0} webhooks/s");
            await app.StopAsync();
            return new Result(label, mails, mailRate, hooks, hookRate, concurrency, sinkWorkers);
        }
        finally
        {
            if (Directory.Exists(sinkFolder)) Directory.Delete(sinkFolder, recursive: true);
        }
    }

    /// <summary>Records the rows in one transaction, wakes the worker, and returns deliveries per second until all are sent and arrived.</summary>
    private static async Task<double> DeliverAsync(IServiceProvider services, List<MessageRow> rows, Func<int> arrived)
    {
        var before = arrived();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
            db.Messages.AddRange(rows);
            await db.SaveChangesAsync();
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        services.GetRequiredService<OutboxSignal>().Wake();
        var deadline = TimeSpan.FromMinutes(10);
        while (true)
        {
            int pending;
            await using (var scope = services.CreateAsyncScope())
                pending = await scope.ServiceProvider.GetRequiredService<KlaxonDbContext>().Messages.CountAsync(m => m.Status != MessageState.Sent);
            // The sink's folder is only counted once the outbox is done: listing thousands of files is work the machine would not do otherwise.
            if (pending == 0 && arrived() - before >= rows.Count) break;
            if (clock.Elapsed > deadline) throw new TimeoutException($"{pending} messages not sent, {arrived() - before} of {rows.Count} arrived after {deadline}.");
            await Task.Delay(pending == 0 ? 5 : 50);
        }
        clock.Stop();
        Console.Error.WriteLine($"  {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rows.Count:F2} ms of this process's processor time per delivery");
        if (arrived() - before != rows.Count) throw new InvalidOperationException($"{arrived() - before} deliveries arrived for {rows.Count} messages.");
        return rows.Count / clock.Elapsed.TotalSeconds;
    }

    private static MessageRow MailRow(int i)
    {
        var key = $"BEN-{i + 1}";
        var text = $"{key}: Benchmark item {i}\nStatus: New   Priority: 2   Severity: -\n\nEscalation group 'Bench', level 1 'Load' fired.\n\nItem: http://klaxon.bench/items/{key}\n";
        return new MessageRow
        {
            FireId = Guid.NewGuid().ToString("N"), Kind = "escalation", Channel = MessageRow.EmailChannel, Recipient = $"user{i}", Email = $"user{i}@bench.test",
            Subject = $"[{key}] Benchmark item {i} — Bench: Load", Body = text, Html = $"<!DOCTYPE html><html><body><pre>{WebUtility.HtmlEncode(text)}</pre></body></html>",
            Status = MessageState.Pending, DeliveryId = Guid.NewGuid().ToString("N"), ProjectKey = "BEN",
        };
    }

    private static MessageRow HookRow(int i, long hookId)
    {
        var delivery = Guid.NewGuid().ToString("N");
        return new MessageRow
        {
            FireId = Guid.NewGuid().ToString("N"), Kind = "escalation", Channel = MessageRow.WebhookChannel, Recipient = $"webhook:{hookId}", WebhookId = hookId,
            Subject = $"[BEN-{i + 1}] Benchmark item {i} — Bench: Load",
            Body = new System.Text.Json.Nodes.JsonObject
            {
                ["event"] = "escalation", ["deliveryId"] = delivery,
                ["item"] = new System.Text.Json.Nodes.JsonObject { ["key"] = $"BEN-{i + 1}", ["summary"] = $"Benchmark item {i}", ["status"] = "New" },
                ["escalation"] = new System.Text.Json.Nodes.JsonObject { ["group"] = "Bench", ["rule"] = "Load", ["level"] = 1 },
            }.ToJsonString(),
            Status = MessageState.Pending, DeliveryId = delivery, ProjectKey = "BEN",
        };
    }

    private sealed class Sink(Process process, int port) : IDisposable
    {
        public int Port { get; } = port;

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }

    private static async Task<Sink> StartSinkAsync(string folder, int workers)
    {
        var script = FindSinkScript();
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, "--port", port.ToString(CultureInfo.InvariantCulture), "--dir", folder, "--workers", workers.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line != $"ready {port}")
            throw new InvalidOperationException($"The SMTP sink did not start (install python3-aiosmtpd): {line} {await process.StandardError.ReadToEndAsync()}");
        return new Sink(process, port);
    }

    private static string FindSinkScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "Klaxon.Tests", "smtp-sink.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/Klaxon.Tests/smtp-sink.py was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A webhook receiver on loopback that answers 200 and counts requests.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication app;
        private int count;

        private Receiver(WebApplication app) => this.app = app;

        public int Count => Volatile.Read(ref count);

        public string Url { get; private set; } = "";

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                await reader.ReadToEndAsync();
                Interlocked.Increment(ref receiver.count);
                return Results.Ok();
            });
            await app.StartAsync();
            receiver.Url = app.Urls.Single() + "/hook";
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
