using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Klaxon.Tests;

/// <summary>
/// A real PostgreSQL server for the tests: the one named by KLAXON_TEST_POSTGRES (a connection string to a
/// database whose user may create databases), or else a throwaway cluster this process creates with the
/// machine's initdb/pg_ctl (as the postgres user when running as root) on a free loopback port and stops on exit.
/// Each caller gets a fresh database of its own. When no server can be had, the error says why; nothing is skipped.
/// </summary>
/// <remarks>
/// The test runner may kill its test host before exit handlers finish, so a detached watchdog also waits for this
/// process to end and then stops the cluster and deletes its folder: no server or data outlives the test run.
/// </remarks>
public static class TestPostgres
{
    private static readonly Lazy<string> Server = new(StartOrFind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A connection string to a new, empty database.</summary>
    public static string NewDatabase()
    {
        var admin = Server.Value;
        var name = "klaxon_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="NewDatabase"/>.</summary>
    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using var connection = new NpgsqlConnection(Server.Value);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }

    private static string StartOrFind()
    {
        if (Environment.GetEnvironmentVariable("KLAXON_TEST_POSTGRES") is { Length: > 0 } given) return given;

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL tests need a server: install Debian's 'postgresql' package (the test command ./test does) or set KLAXON_TEST_POSTGRES to a connection string.");

        var root = Path.Combine(Path.GetTempPath(), "klaxon-pg-" + Environment.ProcessId);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"-R postgres:postgres {root}");
        var port = FreePort();
        Run(bin + "/initdb", $"-D {data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8", asRoot);
        Run(bin + "/pg_ctl", $"-D {data} -l {root}/log -w -o \"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start", asRoot);
        StartWatchdog(bin, root, data, asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(bin + "/pg_ctl", $"-D {data} -m immediate stop", asRoot);
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Stopping the test PostgreSQL server in {root} failed: {e.Message}");
            }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>
    /// A shell in a session of its own (it survives the test host being killed) that polls this process once a second
    /// and, once it is gone, stops the cluster and removes <paramref name="root"/>.
    /// </summary>
    private static void StartWatchdog(string bin, string root, string data, bool asRoot)
    {
        var stop = (asRoot ? "runuser -u postgres -- " : "") + $"{bin}/pg_ctl -D {data} -m immediate stop";
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf {root}";
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-f", "sh", "-c", script }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the watchdog of the test PostgreSQL server.");
        if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            throw new InvalidOperationException($"The watchdog of the test PostgreSQL server did not start: {process.StandardError.ReadToEnd()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string program, string arguments, bool asPostgres = false)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}")
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) throw new InvalidOperationException($"{program} {arguments} did not finish within 60 s.");
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {error.Result}{output.Result}");
    }
}

public class TestPostgresTests
{
    [Fact]
    public void NewDatabase_IsARealEmptyPostgreSqlDatabase()
    {
        var connectionString = TestPostgres.NewDatabase();
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT current_database() || ' ' || (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')", connection);
            Assert.Equal(new NpgsqlConnectionStringBuilder(connectionString).Database + " 0", command.ExecuteScalar());
        }
        finally
        {
            TestPostgres.DropDatabase(connectionString);
        }
    }
}
