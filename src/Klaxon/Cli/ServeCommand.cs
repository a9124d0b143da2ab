using System.CommandLine;
using Klaxon.Core;
using Klaxon.Delivery;
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
        var smtp = new Option<string?>("--smtp")
        {
            Description = "The SMTP server mail goes through, HOST:PORT. User, password and STARTTLS come from $KLAXON_SMTP_USER, " +
                "$KLAXON_SMTP_PASSWORD and $KLAXON_SMTP_STARTTLS=true. Without it no mail is sent.",
        };
        var mailFrom = new Option<string?>("--mail-from") { Description = "The sender address of every mail (needed with --smtp)." };
        var publicUrl = new Option<string?>("--public-url") { Description = "The address users open Klaxon at, for the item links in mails, such as https://klaxon.example.com." };

        var noDemo = new Option<bool>("--no-demo") { Description = "Do not create the demo support project (otherwise made when the data folder is empty)." };

        var command = new Command("serve", "Runs the Klaxon server: REST API under /api/v1, OpenAPI document at /openapi/v1.json, /health.")
        {
            adminToken, urls, data, db, clock, now, smtp, mailFrom, publicUrl, noDemo,
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
                Delivery = ResolveDelivery(parseResult.GetValue(smtp), parseResult.GetValue(mailFrom), parseResult.GetValue(publicUrl), environment),
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

    /// <summary>The outbox's settings from the options and the environment; a wrong one is refused naming it.</summary>
    public static DeliverySettings ResolveDelivery(string? smtp, string? mailFrom, string? publicUrl, Func<string, string?> environment)
    {
        var errors = new List<Diagnostic>();
        SmtpSettings? server = null;
        if (smtp is null)
        {
            if (mailFrom is not null) errors.Add(new("mail-from", "applies only with --smtp HOST:PORT."));
        }
        else
        {
            var colon = smtp.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(smtp[(colon + 1)..], out var port) || port is < 1 or > 65535)
                errors.Add(new("smtp", $"'{smtp}' is not HOST:PORT (such as mail.example.com:587)."));
            else if (string.IsNullOrWhiteSpace(mailFrom) || !mailFrom.Contains('@'))
                errors.Add(new("mail-from", mailFrom is null ? "is required with --smtp: the sender address, such as klaxon@example.com." : $"'{mailFrom}' is not an e-mail address."));
            else
            {
                var startTls = environment("KLAXON_SMTP_STARTTLS");
                if (startTls is not (null or "" or "true" or "false")) errors.Add(new("KLAXON_SMTP_STARTTLS", $"is '{startTls}'; use true or false."));
                server = new SmtpSettings
                {
                    Host = smtp[..colon].Trim('[', ']'), Port = port, From = mailFrom.Trim(),
                    User = environment("KLAXON_SMTP_USER") is { Length: > 0 } user ? user : null,
                    Password = environment("KLAXON_SMTP_PASSWORD"),
                    StartTls = startTls == "true",
                };
            }
        }
        if (publicUrl is not null && (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
            errors.Add(new("public-url", $"'{publicUrl}' is not an absolute http or https URL."));

        var retry = new RetryPolicy();
        if (environment("KLAXON_RETRY_FIRST") is { Length: > 0 } first) retry = retry with { First = IsoText.ParseDuration(first, "KLAXON_RETRY_FIRST").OrCollect(errors) };
        if (environment("KLAXON_RETRY_MAX") is { Length: > 0 } max) retry = retry with { Max = IsoText.ParseDuration(max, "KLAXON_RETRY_MAX").OrCollect(errors) };
        if (environment("KLAXON_RETRY_ATTEMPTS") is { Length: > 0 } attempts)
        {
            if (int.TryParse(attempts, out var n) && n is >= 1 and <= 100) retry = retry with { MaxAttempts = n };
            else errors.Add(new("KLAXON_RETRY_ATTEMPTS", $"is '{attempts}'; use a whole number from 1 to 100."));
        }
        if (retry.First <= Duration.Zero || retry.Max < retry.First) errors.Add(new("KLAXON_RETRY_FIRST", "must be positive and not longer than KLAXON_RETRY_MAX."));
        ProblemException.ThrowIfAny(errors);
        return new DeliverySettings { Smtp = server, PublicUrl = publicUrl?.TrimEnd('/'), Retry = retry };
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
