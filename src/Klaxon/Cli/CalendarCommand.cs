using System.CommandLine;
using Klaxon.Infrastructure;

namespace Klaxon.Cli;

/// <summary>
/// <c>klaxon calendar add|between|intervals</c>: the working-time calculator, asking a running server
/// (<c>--server</c>/<c>--token</c>, or KLAXON_SERVER/KLAXON_TOKEN) or reading the data folder directly
/// (<c>--data</c>, default ./data, or <c>--db</c>). Options given on the command line win over the environment.
/// </summary>
public static class CalendarCommand
{
    private sealed record Connection(Option<string?> Server, Option<string?> Token, Option<string?> Data, Option<string?> Db);

    public static Command Create(Func<string, string?> environment)
    {
        var connection = new Connection(
            new Option<string?>("--server") { Description = "URL of a running Klaxon server (default $KLAXON_SERVER).", Recursive = true },
            new Option<string?>("--token") { Description = "API token for --server (default $KLAXON_TOKEN).", Recursive = true },
            new Option<string?>("--data") { Description = "Data folder to read directly instead of a server (default ./data).", Recursive = true },
            new Option<string?>("--db") { Description = "PostgreSQL connection string to read directly instead of a server.", Recursive = true });
        var command = new Command("calendar", "Working-time calculator for a calendar.")
        {
            connection.Server, connection.Token, connection.Data, connection.Db,
            Add(connection, environment),
            Between(connection, environment),
            Intervals(connection, environment),
        };
        command.SetAction(KlaxonCommand.ShowHelp);
        return command;
    }

    private static Command Add(Connection connection, Func<string, string?> environment)
    {
        var calendar = CalendarOption();
        var from = InstantOption("--from", "The start, such as 2026-03-27T15:00:00Z or 2026-03-27T16:00:00+01:00.");
        var duration = new Option<string?>("--duration") { Description = "Working time to add, ISO-8601: PT4H, PT2H30M, -PT30M (a day is 24 hours)." };
        var days = new Option<string?>("--days") { Description = "Working days to add instead: the same local time on the n-th following working day." };
        var command = new Command("add", "The instant at which an amount of working time, or a number of working days, has elapsed since --from.")
        {
            calendar, from, duration, days,
        };
        command.SetAction((parseResult, cancellationToken) => KlaxonCommand.Guard(parseResult, async output =>
        {
            await using var calculator = await ConnectAsync(parseResult, connection, environment, cancellationToken);
            var answer = await calculator.AddAsync(parseResult.GetValue(calendar)!, parseResult.GetValue(from),
                parseResult.GetValue(duration), parseResult.GetValue(days), cancellationToken);
            output.WriteLine(AnswerText.Format(answer));
        }));
        return command;
    }

    private static Command Between(Connection connection, Func<string, string?> environment)
    {
        var calendar = CalendarOption();
        var from = InstantOption("--from", "The start of the span.");
        var to = InstantOption("--to", "The end of the span (exclusive); before --from gives a negative answer.");
        var command = new Command("between", "Working time between --from and --to.") { calendar, from, to };
        command.SetAction((parseResult, cancellationToken) => KlaxonCommand.Guard(parseResult, async output =>
        {
            await using var calculator = await ConnectAsync(parseResult, connection, environment, cancellationToken);
            var answer = await calculator.BetweenAsync(parseResult.GetValue(calendar)!, parseResult.GetValue(from), parseResult.GetValue(to), cancellationToken);
            output.WriteLine(AnswerText.Format(answer));
        }));
        return command;
    }

    private static Command Intervals(Connection connection, Func<string, string?> environment)
    {
        var calendar = CalendarOption();
        var from = InstantOption("--from", "The start of the span.");
        var to = InstantOption("--to", "The end of the span (exclusive), at most 366 days after --from.");
        var command = new Command("intervals", "The working intervals between --from and --to, in UTC and in the calendar's local time.") { calendar, from, to };
        command.SetAction((parseResult, cancellationToken) => KlaxonCommand.Guard(parseResult, async output =>
        {
            await using var calculator = await ConnectAsync(parseResult, connection, environment, cancellationToken);
            var answer = await calculator.IntervalsAsync(parseResult.GetValue(calendar)!, parseResult.GetValue(from), parseResult.GetValue(to), cancellationToken);
            output.WriteLine(AnswerText.Format(answer));
        }));
        return command;
    }

    private static Option<string> CalendarOption() => new("--calendar", "-c") { Description = "The calendar's id.", Required = true };

    private static Option<string?> InstantOption(string name, string description) => new(name) { Description = description, Required = true };

    private static async Task<ICalendarCalculator> ConnectAsync(
        ParseResult parseResult, Connection connection, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var server = parseResult.GetValue(connection.Server);
        var data = parseResult.GetValue(connection.Data);
        var db = parseResult.GetValue(connection.Db);
        if (server is not null && (data is not null || db is not null))
            throw ProblemException.Invalid("server", "give either --server or --data/--db, not both.");
        if (data is null && db is null) server ??= environment("KLAXON_SERVER");
        if (!string.IsNullOrWhiteSpace(server))
        {
            var token = parseResult.GetValue(connection.Token) ?? environment("KLAXON_TOKEN");
            if (string.IsNullOrWhiteSpace(token)) throw ProblemException.Invalid("token", "is required with --server (or set KLAXON_TOKEN).");
            return ServerCalendarCalculator.Create(server, token);
        }
        return await DataFolderCalendarCalculator.OpenAsync(new StorageLocation(Path.GetFullPath(data ?? "./data"), db), cancellationToken);
    }
}
