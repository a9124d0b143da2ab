using System.Text.Json;
using System.Text.RegularExpressions;
using Klaxon.Core;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Klaxon.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>A project as clients see it: key, name, the id of its working-time calendar, its roles.</summary>
public sealed record ProjectAnswer(string Key, string Name, string Calendar, IReadOnlyDictionary<string, string[]> Roles);

public sealed record CreateProjectRequest
{
    /// <summary>Capital letters and digits, such as SUP.</summary>
    public string? Key { get; init; }
    public string? Name { get; init; }

    /// <summary>An existing calendar; without one the project gets a new calendar deriving from <c>system</c>.</summary>
    public string? Calendar { get; init; }

    /// <summary>A project template, such as <c>support</c> (docs/support-template.md); without one the project starts empty.</summary>
    public string? Template { get; init; }
}

/// <summary>Projects: created by administrators, with the default roles and, unless one is named, a calendar of their own.</summary>
public static partial class ProjectsApi
{
    [GeneratedRegex("^[A-Z][A-Z0-9]{1,9}$")]
    private static partial Regex KeyPattern();

    /// <summary>Whether <paramref name="key"/> is a project key: 2 to 10 capital letters and digits, starting with a letter.</summary>
    public static bool IsProjectKey(string key) => KeyPattern().IsMatch(key);

    public static RouteGroupBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/projects").WithTags("Projects");
        api.MapGet("", ListProjects).WithSummary("The projects the caller may view.");
        api.MapGet("/{key}", GetProject).WithSummary("One project with its calendar id and roles.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", CreateProject).WithSummary("Creates a project (administrators only).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<List<ProjectAnswer>>> ListProjects(KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Key).ToListAsync(cancellationToken);
        var visible = new List<ProjectAnswer>();
        foreach (var project in projects)
        {
            if ((await access.PermissionsAsync(project.Key, cancellationToken)).Contains(Permissions.ViewItems))
                visible.Add(await AnswerAsync(db, project, cancellationToken));
        }
        return TypedResults.Ok(visible);
    }

    public static async Task<Ok<ProjectAnswer>> GetProject(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Key == key, cancellationToken);
        return TypedResults.Ok(await AnswerAsync(db, project, cancellationToken));
    }

    public static async Task<Created<ProjectAnswer>> CreateProject(
        CreateProjectRequest request, HttpContext http, KlaxonDbContext db, Access access, CalendarCatalog catalog, CalendarWriteLock calendarWrites, IClock clock,
        CancellationToken cancellationToken)
    {
        await access.RequireAdminAsync("create projects", cancellationToken);
        var errors = new List<Diagnostic>();
        if (string.IsNullOrWhiteSpace(request.Key)) errors.Add(new("key", "is required (2 to 10 capital letters and digits, such as SUP)."));
        else if (!KeyPattern().IsMatch(request.Key)) errors.Add(new("key", $"'{request.Key}' is not a project key: use 2 to 10 capital letters and digits, starting with a letter."));
        if (string.IsNullOrWhiteSpace(request.Name)) errors.Add(new("name", "is required."));
        if (request.Calendar is not null && catalog.Find(request.Calendar) is null) errors.Add(new("calendar", $"there is no calendar '{request.Calendar}'."));
        if (request.Template is not null && !SupportTemplate.Names.Contains(request.Template))
            errors.Add(new("template", $"there is no template '{request.Template}'; the templates are {string.Join(", ", SupportTemplate.Names)}."));
        else if (request.Template is not null && request.Calendar is not null)
            errors.Add(new("calendar", $"the {request.Template} template makes the project's calendars itself; leave out 'calendar'."));
        ProblemException.ThrowIfAny(errors);

        var key = request.Key!;
        if (request.Template is not null)
        {
            await SupportTemplate.ApplyAsync(http.RequestServices, key, request.Name!.Trim(), cancellationToken);
            var made = await db.Projects.AsNoTracking().SingleAsync(p => p.Key == key, cancellationToken);
            return TypedResults.Created($"/api/v1/projects/{key}", await AnswerAsync(db, made, cancellationToken));
        }
        var project = await CreateAsync(db, catalog, calendarWrites, clock, key, request.Name!.Trim(), request.Calendar, cancellationToken);
        return TypedResults.Created($"/api/v1/projects/{key}", await AnswerAsync(db, project, cancellationToken));
    }

    /// <summary>
    /// Stores a project with the default roles (or <paramref name="roles"/>) and, when <paramref name="calendarId"/> is null, a new calendar
    /// <c>project-KEY</c> deriving from the system calendar; all in one transaction. 409 when the key is taken.
    /// </summary>
    public static async Task<ProjectRow> CreateAsync(
        KlaxonDbContext db, CalendarCatalog catalog, CalendarWriteLock calendarWrites, IClock clock,
        string key, string name, string? calendarId, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? roles = null)
    {
        using var calendarLock = await calendarWrites.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Projects.AnyAsync(p => p.Key == key, cancellationToken))
            throw ProblemException.Conflict($"A project '{key}' already exists.");
        var now = clock.GetCurrentInstant();
        CalendarDefinition? ownCalendar = null;
        if (calendarId is null)
        {
            calendarId = "project-" + key.ToLowerInvariant();
            if (catalog.Find(calendarId) is not null)
                throw ProblemException.Conflict($"A calendar '{calendarId}' already exists; name it as the project's calendar or delete it first.");
            ownCalendar = new CalendarDefinition(calendarId, $"{name} calendar", null, CalendarDefinition.SystemId, [], []);
            db.Calendars.Add(StoredCalendar.Create(ownCalendar, now));
        }
        var project = new ProjectRow { Key = key, Name = name, CalendarId = calendarId, CreatedAt = now.ToUnixTimeMilliseconds(), Version = 1 };
        db.Projects.Add(project);
        foreach (var (role, permissions) in roles ?? Permissions.DefaultRoles)
            db.Roles.Add(new RoleRow { ProjectKey = key, Name = role, Permissions = JsonSerializer.Serialize(permissions) });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (ownCalendar is not null) catalog.Put(ownCalendar);
        return project;
    }

    public static async Task<ProjectAnswer> AnswerAsync(KlaxonDbContext db, ProjectRow project, CancellationToken cancellationToken)
    {
        var roles = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == project.Key).ToListAsync(cancellationToken);
        return new ProjectAnswer(project.Key, project.Name, project.CalendarId,
            roles.OrderBy(r => r.Name, StringComparer.Ordinal).ToDictionary(r => r.Name, r => JsonSerializer.Deserialize<string[]>(r.Permissions) ?? []));
    }
}
