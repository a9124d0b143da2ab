using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Klaxon.Bench;

/// <summary>
/// A throwaway PostgreSQL cluster for a benchmark run, made with the machine's initdb/pg_ctl (as the postgres user
/// when running as root) in a temporary folder on a free loopback port, with the server's default durability
/// (fsync and synchronous commit on), and removed on dispose.
/// </summary>
public sealed class BenchPostgres : IDisposable
{
    private readonly string bin;
    private readonly string root;
    private readonly bool asRoot = Environment.UserName == "root";

    private BenchPostgres(string bin, string root)
    {
        this.bin = bin;
        this.root = root;
    }

    /// <summary>A connection string to the cluster's <c>klaxon</c> database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The server's version, such as "PostgreSQL 15.14".</summary>
    public string Version { get; private set; } = "";

    public static BenchPostgres Start()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null) throw new InvalidOperationException("The PostgreSQL benchmark needs Debian's 'postgresql' package (apt-get install -y postgresql).");
        var root = Path.Combine(Path.GetTempPath(), "klaxon-bench-pg-" + Environment.ProcessId);
        var server = new BenchPostgres(bin, root);
        Directory.CreateDirectory(root);
        if (server.asRoot) Run("chown", $"-R postgres:postgres {root}");
        var port = FreePort();
        server.Run(bin + "/initdb", $"-D {root}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8", asPostgres: true);
        server.Run(bin + "/pg_ctl", $"-D {root}/data -l {root}/log -w -o \"-p {port} -k {root} -c listen_addresses=127.0.0.1\" start", asPostgres: true);
        server.Run(bin + "/createdb", $"-h 127.0.0.1 -p {port} -U postgres klaxon", asPostgres: true);
        server.ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=klaxon";
        server.Version = "PostgreSQL " + Path.GetFileName(Path.GetDirectoryName(bin));
        return server;
    }

    public void Dispose()
    {
        Run(bin + "/pg_ctl", $"-D {root}/data -m fast stop", asPostgres: true);
        Directory.Delete(root, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Run(string program, string arguments, bool asPostgres) => Execute(program, arguments, asPostgres && asRoot);

    private static void Run(string program, string arguments) => Execute(program, arguments, asPostgres: false);

    private static void Execute(string program, string arguments, bool asPostgres)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}") : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) throw new InvalidOperationException($"{program} {arguments} did not finish within 120 s.");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {error.Result}{output.Result}");
    }
}
