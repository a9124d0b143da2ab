using Klaxon.Cli;

namespace Klaxon.Tests;

/// <summary>
/// <c>klaxon calendar</c> run in process, against a running server and directly on its storage (<c>--data</c>, plus
/// <c>--db</c> when the tests run on PostgreSQL): both must print the same answers.
/// </summary>
public sealed class CalendarCliTests : IAsyncLifetime
{
    private RunningServer server = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync();
        await server.Client.CreateAsync(Calendars.Berlin);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    public static TheoryData<string[], string> Questions => new()
    {
        { ["add", "--calendar", "berlin", "--from", "2026-03-27T15:00:00+01:00", "--duration", "PT4H"], "2026-03-30T09:00:00Z  (Mon 30 Mar 2026 11:00 Europe/Berlin)" },
        { ["add", "-c", "berlin", "--from", "2026-03-30T09:00:00Z", "--duration", "-PT4H"], "2026-03-27T14:00:00Z  (Fri 27 Mar 2026 15:00 Europe/Berlin)" },
        { ["add", "-c", "berlin", "--from", "2026-03-27T14:00:00Z", "--days", "1"], "2026-03-30T13:00:00Z  (Mon 30 Mar 2026 15:00 Europe/Berlin)" },
        { ["add", "-c", "berlin", "--from", "2026-03-27T14:00:30Z", "--duration", "PT1H"], "2026-03-27T15:00:30Z  (Fri 27 Mar 2026 16:00:30 Europe/Berlin)" },
        { ["between", "-c", "berlin", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z"], "4h 30m (16200 s)" },
        { ["between", "-c", "berlin", "--from", "2026-03-30T09:00:00Z", "--to", "2026-03-27T14:00:00Z"], "-4h (-14400 s)" },
        { ["between", "-c", "berlin", "--from", "2026-03-28T00:00:00Z", "--to", "2026-03-29T00:00:00Z"], "0s (0 s)" },
        {
            ["intervals", "-c", "berlin", "--from", "2026-03-27T12:00:00Z", "--to", "2026-03-31T00:00:00Z"],
            """
            2026-03-27T12:00:00Z - 2026-03-27T16:00:00Z  (Fri 27 Mar 2026 13:00-17:00 Europe/Berlin)  4h
            2026-03-30T07:00:00Z - 2026-03-30T15:00:00Z  (Mon 30 Mar 2026 09:00-17:00 Europe/Berlin)  8h
            total 12h in 2 intervals
            """
        },
        { ["intervals", "-c", "berlin", "--from", "2026-03-28T00:00:00Z", "--to", "2026-03-29T00:00:00Z"], "no working time in this span" },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task AgainstTheServer_PrintsTheAnswer(string[] question, string expected)
    {
        var (code, output, error) = await RunAsync([.. Prefix(question), "--server", server.Address.ToString(), "--token", RunningServer.Token]);

        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal(expected.ReplaceLineEndings() + Environment.NewLine, output);
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task OnTheDataFolder_PrintsTheSameAnswer(string[] question, string expected)
    {
        var (code, output, error) = await RunAsync([.. Prefix(question), .. server.StorageArguments]);

        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal(expected.ReplaceLineEndings() + Environment.NewLine, output);
    }

    [Fact]
    public async Task ServerAndToken_CanComeFromTheEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["KLAXON_SERVER"] = server.Address.ToString(), ["KLAXON_TOKEN"] = RunningServer.Token };

        var (code, output, _) = await RunAsync(
            ["calendar", "between", "-c", "berlin", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z"], environment);

        Assert.Equal(0, code);
        Assert.Equal("4h 30m (16200 s)" + Environment.NewLine, output);
    }

    [Fact]
    public async Task OnTheDataFolder_AfterTheServerStopped_StillAnswers()
    {
        await server.StopAsync();

        var (code, output, _) = await RunAsync(
            ["calendar", "add", "-c", "berlin", "--from", "2026-03-27T14:00:00Z", "--duration", "PT4H", .. server.StorageArguments]);

        Assert.Equal(0, code);
        Assert.Equal("2026-03-30T09:00:00Z  (Mon 30 Mar 2026 11:00 Europe/Berlin)" + Environment.NewLine, output);
    }

    public static TheoryData<string[], string> Mistakes => new()
    {
        { ["add", "-c", "nope", "--from", "2026-03-27T14:00:00Z", "--duration", "PT1H"], "error: There is no calendar 'nope'." },
        { ["add", "-c", "berlin", "--from", "friday", "--duration", "PT1H"], "error: --from: 'friday' is not an instant" },
        { ["add", "-c", "berlin", "--from", "2026-03-27T14:00:00Z", "--duration", "P1Y"], "error: --duration: 'P1Y' has years or months" },
        { ["add", "-c", "berlin", "--from", "2026-03-27T14:00:00Z"], "error: --duration: give exactly one of 'duration'" },
        { ["between", "-c", "berlin", "--from", "2026-03-27T14:00:00Z", "--to", "2026-03-27T15:00:00"], "error: --to: '2026-03-27T15:00:00' has no offset" },
        { ["intervals", "-c", "berlin", "--from", "2026-01-01T00:00:00Z", "--to", "2028-01-01T00:00:00Z"], "error: --to: is more than 366 days after 'from'" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task AgainstTheServer_Mistake_ExitsNonZeroWithTheMessage(string[] question, string expected)
    {
        var (code, output, error) = await RunAsync([.. Prefix(question), "--server", server.Address.ToString(), "--token", RunningServer.Token]);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith(expected, error);
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task OnTheDataFolder_Mistake_ExitsNonZeroWithTheSameMessage(string[] question, string expected)
    {
        var (code, output, error) = await RunAsync([.. Prefix(question), .. server.StorageArguments]);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public async Task UnknownToken_ExitsNonZero()
    {
        var (code, _, error) = await RunAsync(
            ["calendar", "between", "-c", "berlin", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z", "--server", server.Address.ToString(), "--token", "wrong"]);

        Assert.Equal(1, code);
        Assert.Equal("error: The bearer token is not known." + Environment.NewLine, error);
    }

    [Fact]
    public async Task ServerWithoutToken_ExitsNonZero()
    {
        var (code, _, error) = await RunAsync(
            ["calendar", "between", "-c", "berlin", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z", "--server", server.Address.ToString()]);

        Assert.Equal(1, code);
        Assert.StartsWith("error: --token: is required with --server", error);
    }

    [Fact]
    public async Task UnreachableServer_ExitsNonZero()
    {
        await server.StopAsync();

        var (code, _, error) = await RunAsync(
            ["calendar", "between", "-c", "berlin", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z", "--server", server.Address.ToString(), "--token", "x"]);

        Assert.Equal(1, code);
        Assert.StartsWith("error: cannot reach the server", error);
    }

    [Fact]
    public async Task StorageWithoutDatabase_ExitsNonZeroAndCreatesNothing()
    {
        var empty = RunningServer.NewStorage(RunningServer.NewDataDirectory());
        try
        {
            var (code, _, error) = await RunAsync(
                ["calendar", "between", "-c", "system", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z", .. RunningServer.StorageArgumentsFor(empty)]);

            Assert.Equal(1, code);
            Assert.False(Directory.Exists(empty.DataDirectory));
            if (empty.PostgresConnection is { } db)
            {
                var where = new Npgsql.NpgsqlConnectionStringBuilder(db);
                Assert.StartsWith($"error: --db: there is no Klaxon database '{where.Database}' on {where.Host}", error);
                Assert.Equal(0, await TablesAsync(db));
            }
            else
            {
                Assert.StartsWith($"error: --data: there is no Klaxon database at {Path.Combine(empty.DataDirectory, "klaxon.db")}", error);
            }
        }
        finally
        {
            RunningServer.DeleteStorage(empty);
        }
    }

    [Fact]
    public async Task StorageThatDoesNotExist_ExitsNonZero()
    {
        var missing = RunningServer.Backend == TestBackend.Postgres
            ? new Npgsql.NpgsqlConnectionStringBuilder(server.Storage.PostgresConnection) { Database = "klaxon_no_such_database" }.ConnectionString
            : null;
        var storage = new Klaxon.Infrastructure.StorageLocation(Path.Combine(RunningServer.NewDataDirectory(), "no", "such", "folder"), missing);

        var (code, _, error) = await RunAsync(
            ["calendar", "between", "-c", "system", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z", .. RunningServer.StorageArgumentsFor(storage)]);

        Assert.Equal(1, code);
        Assert.StartsWith(missing is null ? "error: --data: there is no Klaxon database" : "error: --db: there is no Klaxon database 'klaxon_no_such_database'", error);
        Assert.False(Directory.Exists(storage.DataDirectory));
    }

    private static async Task<long> TablesAsync(string postgres)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ServerAndDataTogether_ExitsNonZero()
    {
        var (code, _, error) = await RunAsync(
            ["calendar", "between", "-c", "berlin", "--from", "2026-03-27T11:30:00Z", "--to", "2026-03-27T16:00:00Z", "--server", server.Address.ToString(), .. server.StorageArguments]);

        Assert.Equal(1, code);
        Assert.StartsWith("error: --server: give either --server or --data/--db", error);
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("calendar")]
    public async Task NoCommand_PrintsHelp(params string[] args)
    {
        var (code, output, _) = await RunAsync(args);

        Assert.Equal(0, code);
        Assert.Contains("Usage:", output);
        Assert.Contains(args.Length == 1 && args[0] == "calendar" ? "between" : "serve", output);
    }

    [Fact]
    public async Task MissingRequiredOption_ExitsNonZero()
    {
        var (code, _, error) = await RunAsync(["calendar", "add", "--from", "2026-03-27T14:00:00Z", "--duration", "PT1H"]);

        Assert.NotEqual(0, code);
        Assert.Contains("--calendar", error);
    }

    private static string[] Prefix(string[] question) => ["calendar", .. question];

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KlaxonCommand.RunAsync(args, output, error, name => environment?.GetValueOrDefault(name));
        return (code, output.ToString(), error.ToString());
    }
}
