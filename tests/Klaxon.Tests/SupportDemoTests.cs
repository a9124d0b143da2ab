using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Klaxon.Cli;
using Klaxon.Infrastructure;

namespace Klaxon.Tests;

/// <summary>
/// <c>klaxon serve</c> on an empty data folder makes the demo support project; <c>klaxon init --template support</c>
/// makes a support project in a data folder. Both run in process as an operator runs them, on the test backend.
/// </summary>
public sealed partial class SupportDemoTests : IDisposable
{
    private readonly StorageLocation storage = RunningServer.NewStorage(RunningServer.NewDataDirectory());

    public void Dispose() => RunningServer.DeleteStorage(storage);

    [Fact]
    public async Task Serve_OnAnEmptyDataFolder_CreatesTheDemo_WithItemsInEveryStatusAndTheirSchedules_AndNeverAgain()
    {
        await using (var server = await ServeAsync())
        {
            Assert.Contains("Created the demo project SUP", server.Output);
            Assert.Contains("password 'klaxon-demo'", server.Output);
            var incidents = await ItemsAsync(server.Client, "INC");
            var bugs = await ItemsAsync(server.Client, "BUG");
            Assert.Equal(["Closed", "Escalated", "New", "Resolved", "Troubleshooting"], incidents.Select(i => (string)i!["status"]!).Distinct().Order());
            Assert.Equal(["Closed", "In Progress", "Open", "QA Verified", "Resolved"], bugs.Select(i => (string)i!["status"]!).Distinct().Order());

            // Items dated by the server's clock, with their SLA clocks running.
            Assert.All(incidents, i => Assert.Equal("2026-03-27T14:00:00Z", (string)i!["submittedAt"]!));
            var down = incidents.Single(i => (string)i!["summary"]! == "Checkout page returns 500 for every customer")!;
            var schedule = (JsonArray)await server.Client.GetJsonAsync($"/api/v1/items/{down["key"]}/escalations");
            var pending = Assert.Single(schedule, e => (string)e!["status"]! == "pending")!;
            Assert.Equal("Escalate to engineering", (string)pending["rule"]!);
            Assert.Equal("2026-03-30T09:00:00Z", (string)pending["due"]!); // Friday 14:00 + 4 business hours in London: Monday 10:00 BST

            // The flagged bugs told their product's customers at once.
            var failover = bugs.Single(b => (string)b!["summary"]! == "Failover drops unflushed writes")!;
            var history = (JsonArray)await server.Client.GetJsonAsync($"/api/v1/items/{failover["key"]}/history");
            Assert.Contains(history, h => (string)h!["field"]! == "notified" && ((string)h["newValue"]!).StartsWith("carl, cora: ", StringComparison.Ordinal));

            var alice = await server.Client.GetJsonAsync("/api/v1/users/alice");
            Assert.True((bool)alice["hasPassword"]!);
            var roster = await server.Client.GetJsonAsync("/api/v1/projects/SUP/on-call");
            Assert.Equal(["mia"], roster["onCallNow"]!.AsArray().Select(l => (string)l!));
        }

        // The folder is no longer empty: a restart adds nothing.
        await using (var again = await ServeAsync())
        {
            Assert.DoesNotContain("demo", again.Output);
            Assert.Single((JsonArray)await again.Client.GetJsonAsync("/api/v1/projects"));
            Assert.Equal(7, (await ItemsAsync(again.Client, "INC")).Count);
        }
    }

    [Fact]
    public async Task Serve_WithNoDemo_LeavesTheEmptyDataFolderEmptyOfProjects()
    {
        await using var server = await ServeAsync("--no-demo");
        Assert.DoesNotContain("demo", server.Output);
        Assert.Empty((JsonArray)await server.Client.GetJsonAsync("/api/v1/projects"));
    }

    [Fact]
    public async Task Init_CreatesASupportProjectInTheDataFolder_AndRefusesATakenKey()
    {
        var output = new StringWriter();
        var code = await KlaxonCommand.RunAsync(["init", "--template", "support", "--key", "HELP", "--name", "Help desk", .. RunningServer.StorageArgumentsFor(storage)],
            output, TextWriter.Null, _ => null);
        Assert.Equal(0, code);
        Assert.Contains("Created project HELP from the support template: trackers INC (Incident) and BUG (Bug)", output.ToString());

        var error = new StringWriter();
        Assert.Equal(1, await KlaxonCommand.RunAsync(["init", "--template", "support", "--key", "HELP", .. RunningServer.StorageArgumentsFor(storage)], TextWriter.Null, error, _ => null));
        Assert.Equal("error: A project 'HELP' already exists.", error.ToString().Trim());
        var wrong = new StringWriter();
        Assert.Equal(1, await KlaxonCommand.RunAsync(["init", "--template", "support", "--key", "help", .. RunningServer.StorageArgumentsFor(storage)], TextWriter.Null, wrong, _ => null));
        Assert.StartsWith("error: --key: 'help' is not a project key", wrong.ToString());

        // A server on that folder (not empty: no demo) runs the project.
        await using var server = await ServeAsync();
        Assert.DoesNotContain("demo", server.Output);
        var project = await server.Client.GetJsonAsync("/api/v1/projects/HELP");
        Assert.Equal("Help desk", (string)project["name"]!);
        Assert.Equal("support-help", (string)project["calendar"]!);
        Assert.Equal(9, ((JsonArray)await server.Client.GetJsonAsync("/api/v1/projects/HELP/escalation-groups")).Count);
        var item = await Users.ExpectAsync(System.Net.HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/projects/HELP/items", """{"tracker":"INC","summary":"Down","severity":1}"""));
        var schedule = (JsonArray)await server.Client.GetJsonAsync($"/api/v1/items/{item["key"]}/escalations");
        Assert.Equal("2026-03-30T09:00:00Z", (string)schedule.Single()!["due"]!);
    }

    private static async Task<JsonArray> ItemsAsync(HttpClient client, string tracker) =>
        (JsonArray)(await client.GetJsonAsync($"/api/v1/projects/SUP/items?tracker={tracker}&pageSize=500"))["items"]!;

    private async Task<Served> ServeAsync(params string[] extra)
    {
        var output = new StringWriter();
        var stop = new CancellationTokenSource();
        var run = KlaxonCommand.RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", .. RunningServer.StorageArgumentsFor(storage), "--clock", "manual", "--now", "2026-03-27T14:00:00Z", "--admin-token", RunningServer.Token, .. extra],
            TextWriter.Synchronized(output), TextWriter.Null, _ => null, stop.Token);
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(50))
        {
            if (ListeningLine().Match(output.ToString()) is { Success: true } match)
            {
                var client = new HttpClient { BaseAddress = new Uri(match.Groups["url"].Value) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningServer.Token);
                return new Served(output.ToString(), client, stop, run);
            }
            if (run.IsCompleted) throw new InvalidOperationException($"klaxon serve ended with {await run}: {output}");
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        throw new TimeoutException($"The server did not say it was listening. It said: {output}");
    }

    private sealed record Served(string Output, HttpClient Client, CancellationTokenSource Stop, Task<int> Run) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Stop.CancelAsync();
            Assert.Equal(0, await Run);
            Stop.Dispose();
        }
    }

    [GeneratedRegex(@"Klaxon is listening on (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
