using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Klaxon.Cli;

namespace Klaxon.Tests;

/// <summary><c>klaxon serve</c> run in process until cancelled, as an operator starts it.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly string data = RunningServer.NewDataDirectory();

    public void Dispose()
    {
        if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Serve_WithoutAToken_GeneratesOnePrintsItAndAnswersWithIt()
    {
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var serve = KlaxonCommand.RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", "--data", data, "--clock", "manual", "--now", "2026-01-05T08:00:00Z"],
            TextWriter.Synchronized(output), TextWriter.Null, _ => null, stop.Token);

        var listening = await WaitForAsync(output, ListeningLine());
        var token = TokenLine().Match(output.ToString()).Groups["token"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(listening.Groups["url"].Value) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = await client.GetJsonAsync("/api/v1/clock");
        await stop.CancelAsync();

        Assert.Equal(0, await serve);
        Assert.Equal(token, File.ReadAllText(Path.Combine(data, "admin-token")).Trim());
        Assert.True(File.Exists(Path.Combine(data, "klaxon.db")));
        Http.AssertSameJson("""{"now":"2026-01-05T08:00:00Z","manual":true}""", clock);
    }

    [Fact]
    public async Task Serve_ManualClockWithoutNow_ExitsNonZero()
    {
        var error = new StringWriter();

        var code = await KlaxonCommand.RunAsync(["serve", "--data", data, "--clock", "manual"], TextWriter.Null, error, _ => null);

        Assert.Equal(1, code);
        Assert.StartsWith("error: --now: is required", error.ToString());
    }

    private static async Task<Match> WaitForAsync(StringWriter output, Regex pattern)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(50))
        {
            if (pattern.Match(output.ToString()) is { Success: true } match) return match;
            await Task.Delay(50);
        }
        throw new TimeoutException($"The server did not say it was listening. It said: {output}");
    }

    [GeneratedRegex(@"Klaxon is listening on (?<url>http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^  (?<token>[0-9a-f]{64})$", RegexOptions.Multiline)]
    private static partial Regex TokenLine();
}
