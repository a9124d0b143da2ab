using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

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
}
