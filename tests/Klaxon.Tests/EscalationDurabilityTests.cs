using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Tests;

/// <summary>
/// The dispatcher across process deaths: the real <c>klaxon serve</c> runs as a child process, is killed between
/// claiming an escalation and completing it, and is started again; the escalation fires exactly once, late.
/// </summary>
public sealed class EscalationDurabilityTests : IDisposable
{
    private const string Token = "durability-token";
    private readonly StorageLocation storage = RunningServer.NewStorage(RunningServer.NewDataDirectory());

    public void Dispose() => RunningServer.DeleteStorage(storage);

    [Fact]
    public async Task AProcessKilledBetweenClaimAndFire_IsRecoveredOnRestart_AndTheEscalationFiresOnceMarkedLate()
    {
        await using (var first = await ServerProcess.StartAsync(storage, Token, "2026-03-27T14:00:00Z", crashAfterClaim: true))
        {
            var admin = first.Client;
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects", """{"key":"DUR","name":"Durability"}"""));
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/DUR/trackers", EscalationProject.Tracker));
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/DUR/escalation-groups", """
                {"name":"New issues","tracker":"TASK","filter":"status == \"New\"","rules":[
                  {"name":"Verify","anchor":"submittedAt","limit":"1","actions":{"transition":"Mark unconfirmed","notify":{"submitter":true}}}]}
                """));
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/DUR/items", """{"tracker":"TASK","summary":"Crash me"}"""));

            // The advance reaches the due, the dispatcher claims it and the process dies before firing.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => admin.PostJsonAsync("/api/v1/clock/advance", """{"to":"2026-03-27T15:00:00Z"}"""));
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the process should have ended itself after the claim");
        }

        await using (var db = new KlaxonDbContext(storage.Options()))
        {
            var claimed = await db.Escalations.AsNoTracking().SingleAsync();
            Assert.Equal(EscalationState.Claimed, claimed.Status);
            Assert.Empty(await db.Messages.ToListAsync());
            Assert.Equal("New", await db.Items.Select(i => i.Status).SingleAsync());
        }

        // Restarted two minutes later: the lease has expired, so the claim is taken again and fired, once.
        await using (var second = await ServerProcess.StartAsync(storage, Token, "2026-03-27T15:02:00Z", crashAfterClaim: false))
        {
            var schedule = await WaitForAsync(async () =>
            {
                var entries = (await second.Client.GetJsonAsync("/api/v1/items/TASK-1/escalations")).AsArray();
                return entries.Count == 1 && (string)entries[0]!["status"]! == "fired" ? entries : null;
            });
            Assert.True((bool)schedule[0]!["late"]!);
            Assert.Equal("2026-03-27T15:00:00Z", (string)schedule[0]!["due"]!);
            Assert.Equal("2026-03-27T15:02:00Z", (string)schedule[0]!["firedAt"]!);
            Assert.Equal("Unconfirmed", (string)(await second.Client.GetJsonAsync("/api/v1/items/TASK-1"))["status"]!);
        }

        await using var check = new KlaxonDbContext(storage.Options());
        Assert.Single(await check.Messages.ToListAsync());
        Assert.Equal(1, await check.History.CountAsync(h => h.Field == "status"));
    }

    [Fact]
    public async Task EscalationsDueWhileNothingRan_FireAtStartUpMarkedLate_AndARepeatFiresOnceForTheMissedSpan()
    {
        await using (var first = await ServerProcess.StartAsync(storage, Token, "2026-03-27T14:00:00Z", crashAfterClaim: false))
        {
            var admin = first.Client;
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects", """{"key":"DUR","name":"Durability"}"""));
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/DUR/trackers", EscalationProject.Tracker));
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/DUR/escalation-groups", """
                {"name":"Open","tracker":"TASK","filter":"status != \"Closed\"","rules":[
                  {"name":"Deadline","anchor":"endDate","basis":"calendar","actions":{"notify":{"submitter":true}}},
                  {"name":"Again","anchor":"afterLastEscalation","limit":"1","basis":"calendar","actions":{"notify":{"submitter":true}}}]}
                """));
            await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/DUR/items", """{"tracker":"TASK","summary":"Late","endDate":"2026-03-27T15:00:00Z"}"""));
        }

        // Down from 14:00 to 20:30: the deadline (15:00) and five hourly repeats were missed.
        await using var second = await ServerProcess.StartAsync(storage, Token, "2026-03-27T20:30:00Z", crashAfterClaim: false);
        var schedule = await WaitForAsync(async () =>
        {
            var entries = (await second.Client.GetJsonAsync("/api/v1/items/TASK-1/escalations")).AsArray();
            return entries.Count == 2 ? entries : null;
        });
        Assert.Equal("Deadline fired 2026-03-27T15:00:00Z late=true", Line(schedule[0]!));
        Assert.Equal("Again pending 2026-03-27T21:30:00Z late=false", Line(schedule[1]!)); // one late deadline, then on schedule again

        static string Line(System.Text.Json.Nodes.JsonNode e) => $"{e["rule"]} {e["status"]} {e["due"]} late={e["late"]}";
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } result) return result;
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("The restarted server did not fire the escalation within 30 s.");
            await Task.Delay(100);
        }
    }
}

/// <summary>The real program, <c>dotnet klaxon.dll serve</c>, as a child process on a free loopback port with the manual clock.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, HttpClient client)
    {
        this.process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<ServerProcess> StartAsync(StorageLocation storage, string token, string now, bool crashAfterClaim)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "klaxon.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--admin-token", token, "--clock", "manual", "--now", now, "--no-demo" }
                     .Concat(RunningServer.StorageArgumentsFor(storage)))
            start.ArgumentList.Add(argument);
        start.Environment[Dispatcher.CrashAfterClaimVariable] = crashAfterClaim ? "1" : "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start klaxon serve.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var health = await client.GetAsync("/health");
                if (health.IsSuccessStatusCode) return new ServerProcess(process, client);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"klaxon serve did not come up (exited: {process.HasExited}).");
            await Task.Delay(100);
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
