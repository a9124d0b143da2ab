using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Klaxon.Cli;
using Klaxon.Infrastructure;
using Npgsql;

namespace Klaxon.Tests;

/// <summary>
/// <c>klaxon serve</c> run in process until cancelled, as an operator starts it: with <c>--data</c>, plus <c>--db</c>
/// when the tests run on PostgreSQL.
/// </summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly StorageLocation storage = RunningServer.NewStorage(RunningServer.NewDataDirectory());

    public void Dispose() => RunningServer.DeleteStorage(storage);

    [Fact]
    public async Task Serve_WithoutAToken_GeneratesOnePrintsItAndAnswersWithIt()
    {
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var serve = KlaxonCommand.RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", .. RunningServer.StorageArgumentsFor(storage), "--clock", "manual", "--now", "2026-01-05T08:00:00Z", "--no-demo"],
            TextWriter.Synchronized(output), TextWriter.Null, _ => null, stop.Token);

        var listening = await WaitForAsync(output, ListeningLine());
        var token = TokenLine().Match(output.ToString()).Groups["token"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(listening.Groups["url"].Value) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = await client.GetJsonAsync("/api/v1/clock");
        await stop.CancelAsync();

        Assert.Equal(0, await serve);
        Assert.Equal(token, File.ReadAllText(Path.Combine(storage.DataDirectory, "admin-token")).Trim());
        // The database is the SQLite file in the data folder, or else the PostgreSQL database (and no file).
        Assert.Equal(storage.IsSqlite, File.Exists(Path.Combine(storage.DataDirectory, "klaxon.db")));
        if (storage.PostgresConnection is { } db)
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM calendars WHERE id = 'system'", connection);
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
        Http.AssertSameJson("""{"now":"2026-01-05T08:00:00Z","manual":true}""", clock);
    }

    [Fact]
    public async Task Serve_ManualClockWithoutNow_ExitsNonZero()
    {
        var error = new StringWriter();

        var code = await KlaxonCommand.RunAsync(["serve", .. RunningServer.StorageArgumentsFor(storage), "--clock", "manual"], TextWriter.Null, error, _ => null);

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
