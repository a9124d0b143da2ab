using System.CommandLine;
using Klaxon.Apis;
using Klaxon.Infrastructure;
using Klaxon.Templates;
using NodaTime;

namespace Klaxon.Cli;

/// <summary>
/// <c>klaxon init --template support</c>: creates a project from a template directly in the data folder (or the
/// PostgreSQL database of <c>--db</c>), through the same code the REST API runs. Run it while no server uses that
/// storage (a running server does not see calendars created behind its back); with a server running, use
/// <c>POST /api/v1/projects</c> with <c>"template"</c> instead.
/// </summary>
public static class InitCommand
{
    public static Command Create()
    {
        var template = new Option<string>("--template") { Description = "The project template.", DefaultValueFactory = _ => SupportTemplate.Name };
        template.AcceptOnlyFromAmong([.. SupportTemplate.Names]);
        var key = new Option<string>("--key") { Description = "The project's key: 2 to 10 capital letters and digits.", DefaultValueFactory = _ => "SUP" };
        var name = new Option<string>("--name") { Description = "The project's name.", DefaultValueFactory = _ => "Support" };
        var data = new Option<string>("--data") { Description = "The data folder (SQLite database klaxon.db).", DefaultValueFactory = _ => "./data" };
        var db = new Option<string?>("--db") { Description = "A PostgreSQL connection string, to store the project there instead of in DATA/klaxon.db." };
        var command = new Command("init", "Creates a project from a template (the support policy: docs/support-template.md) in the data folder.")
        {
            template, key, name, data, db,
        };
        command.SetAction((parseResult, cancellationToken) => KlaxonCommand.Guard(parseResult, async output =>
        {
            var projectKey = parseResult.GetValue(key)!;
            if (!ProjectsApi.IsProjectKey(projectKey))
                throw ProblemException.Invalid("key", $"'{projectKey}' is not a project key: use 2 to 10 capital letters and digits, starting with a letter.");
            if (string.IsNullOrWhiteSpace(parseResult.GetValue(name)))
                throw ProblemException.Invalid("name", "is required.");
            var storage = new StorageLocation(Path.GetFullPath(parseResult.GetValue(data)!), parseResult.GetValue(db));
            var layout = await CreateAsync(storage, SystemClock.Instance, projectKey, parseResult.GetValue(name)!.Trim(), cancellationToken);
            output.WriteLine($"Created project {layout.Project} from the {parseResult.GetValue(template)} template: trackers {layout.Incident} (Incident) and {layout.Bug} (Bug), " +
                $"calendars {layout.SupportCalendar} (support business hours, the project's) and {layout.EngineeringCalendar} (engineering business hours).");
        }));
        return command;
    }

    /// <summary>Opens (and migrates) the storage and applies the support template to it.</summary>
    public static async Task<SupportProjectLayout> CreateAsync(StorageLocation storage, IClock clock, string key, string name, CancellationToken cancellationToken)
    {
        var catalog = await storage.OpenCatalogAsync(clock, cancellationToken);
        await using var services = TemplateServices.Build(storage, catalog, clock);
        await using var scope = services.CreateAsyncScope();
        return await SupportTemplate.ApplyAsync(scope.ServiceProvider, key, name, cancellationToken);
    }
}
