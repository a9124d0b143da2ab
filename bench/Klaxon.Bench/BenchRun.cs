using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace Klaxon.Bench;

/// <summary>What every load driver's report starts with: when and where it ran, and the command that reproduces it.</summary>
public static class BenchRun
{
    public static StringBuilder Header(string[] args)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project bench/Klaxon.Bench -- {string.Join(' ', args)}`");
        text.AppendLine();
        return text;
    }

    /// <summary>Runs <paramref name="measure"/> with a fresh data folder, then closes pooled connections and deletes the folder.</summary>
    public static async Task<T> InTemporaryFolderAsync<T>(Func<string, Task<T>> measure)
    {
        var folder = Path.Combine(Path.GetTempPath(), "klaxon-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            return await measure(folder);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Npgsql.NpgsqlConnection.ClearAllPools();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One HTTP connection to <paramref name="server"/> sending <paramref name="token"/>, as the drivers measure over.</summary>
    public static HttpClient Client(WebApplication server, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri(Klaxon.KlaxonServer.Addresses(server).Single()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Sends a request (with a JSON body if given) and returns the answer's JSON; a refusal ends the run, saying why.</summary>
    public static async Task<JsonNode> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }
}
