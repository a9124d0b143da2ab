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
}
