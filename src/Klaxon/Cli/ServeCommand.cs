using System.CommandLine;
using Klaxon.Core;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Klaxon.Templates;
using NodaTime;

namespace Klaxon.Cli;

/// <summary>
/// <c>klaxon serve</c>: runs the server until Ctrl+C. On an empty data folder (and a database without projects) it
/// first creates the demo support project (<see cref="SupportDemo"/>), unless told <c>--no-demo</c>.
/// </summary>
public static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static Command Create(Func<string, string?> environment)
    {
        var adminToken = new Option<string?>("--admin-token")
        {
            Description = "The bearer token every /api request needs. Default: $KLAXON_ADMIN_TOKEN, else the token in DATA/admin-token, " +
                "else a new one written there and printed once.",
        };
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => DefaultUrls };
        var data = new Option<string>("--data") { Description = "The data folder: SQLite database klaxon.db and admin-token.", DefaultValueFactory = _ => "./data" };
        var db = new Option<string?>("--db") { Description = "A PostgreSQL connection string, to store data there instead of in DATA/klaxon.db." };
        var clock = new Option<string>("--clock") { Description = "The real clock, or a manual one moved by POST /api/v1/clock/advance.", DefaultValueFactory = _ => "system" };
        clock.AcceptOnlyFromAmong("system", "manual");
        var now = new Option<string?>("--now") { Description = "Where the manual clock starts, such as 2026-01-05T08:00:00Z." };
        var noDemo = new Option<bool>("--no-demo") { Description = "Do not create the demo support project (otherwise made when the data folder is empty)." };

        var command = new Command("serve", "Runs the Klaxon server: REST API under /api/v1, OpenAPI document at /openapi/v1.json, /health.")
        {
            adminToken, urls, data, db, clock, now, noDemo,
        };
        command.SetAction((parseResult, cancellationToken) => KlaxonCommand.Guard(parseResult, async output =>
        {
            var dataDirectory = Path.GetFullPath(parseResult.GetValue(data)!);
            // Asked before anything is written there (the admin token, the database).
            var emptyFolder = !Directory.Exists(dataDirectory) || !Directory.EnumerateFileSystemEntries(dataDirectory).Any();
            var settings = new ServerSettings
            {
                AdminToken = ResolveAdminToken(parseResult.GetValue(adminToken), environment, dataDirectory, output),
                Storage = new StorageLocation(dataDirectory, parseResult.GetValue(db)),
                Urls = parseResult.GetValue(urls)!,
                Clock = ResolveClock(parseResult.GetValue(clock)!, parseResult.GetValue(now), output),
            };
            await using var app = await KlaxonServer.CreateAsync(settings, cancellationToken);
            if (emptyFolder && !parseResult.GetValue(noDemo) && await SupportDemo.HasNoProjectAsync(app.Services, cancellationToken))
            {
                var items = await SupportDemo.CreateAsync(app.Services, cancellationToken);
                output.WriteLine($"Created the demo project {SupportDemo.Key} (the support template) with {items.Count} items; sample users " +
                    $"{string.Join(", ", SupportDemo.People.Select(p => p.Login))}, password '{SupportDemo.Password}'. Start with --no-demo to skip it.");
            }
            await app.StartAsync(cancellationToken);
            output.WriteLine($"Klaxon is listening on {string.Join(", ", KlaxonServer.Addresses(app))}");
            await app.WaitForShutdownAsync(cancellationToken);
        }));
        return command;
    }

    private static string ResolveAdminToken(string? given, Func<string, string?> environment, string dataDirectory, TextWriter output)
    {
        var token = given ?? environment("KLAXON_ADMIN_TOKEN");
        if (!string.IsNullOrWhiteSpace(token)) return token.Trim();
        token = AdminTokenFile.ReadOrCreate(dataDirectory, out var created);
        var path = Path.Combine(dataDirectory, AdminTokenFile.FileName);
        output.WriteLine(created
            ? $"Admin token (written to {path}; send it as 'Authorization: Bearer TOKEN'):{Environment.NewLine}  {token}"
            : $"Admin token: the one in {path}.");
        return token;
    }

    private static IClock ResolveClock(string kind, string? now, TextWriter output)
    {
        if (kind != "manual")
        {
            if (now is not null) throw ProblemException.Invalid("now", "applies only with --clock manual.");
            return SystemClock.Instance;
        }
        var start = IsoText.ParseInstant(now, "now");
        if (!start.Success) throw ProblemException.Invalid(start.Diagnostics);
        output.WriteLine($"Manual clock at {IsoText.FormatInstant(start.Value)}; move it with POST /api/v1/clock/advance.");
        return new ManualClock(start.Value);
    }
}
