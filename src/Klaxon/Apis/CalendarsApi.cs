using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>
/// Calendars as resources: list, read, create, replace, delete. Every write is checked against the catalog
/// (parent, cycle, a calendar that would never work), stored in one transaction, and then published to the
/// catalog; a refused write stores nothing. Responses carry the stored version as an ETag, and PUT and DELETE
/// honour If-Match. Any authenticated caller may read calendars; writing one needs a system administrator, or the
/// permission <c>project.admin</c> in a project whose calendar it is.
/// </summary>
public static class CalendarsApi
{
    public static RouteGroupBuilder MapCalendarsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/calendars").WithTags("Calendars");
        api.MapGet("", ListCalendars)
            .WithSummary("All calendars, ordered by id.");
        api.MapGet("/{id}", GetCalendar)
            .WithSummary("One calendar as its owner wrote it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", CreateCalendar)
            .WithSummary("Creates a calendar; 409 if the id is taken.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapPut("/{id}", PutCalendar)
            .WithSummary("Creates or replaces a calendar.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapDelete("/{id}", DeleteCalendar)
            .WithSummary("Deletes a calendar; refused (409) for the system calendar, a calendar others derive from, and a project's calendar.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<List<CalendarDocument>>> ListCalendars(KlaxonDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.Calendars.AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(stored.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => c.ToDocument()).ToList());
    }

    public static async Task<Ok<CalendarDocument>> GetCalendar(string id, HttpContext http, KlaxonDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.Calendars.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw NotFound(id);
        SetETag(http, stored);
        return TypedResults.Ok(stored.ToDocument());
    }

    public static async Task<Created<CalendarDocument>> CreateCalendar(
        CalendarDocument calendar, HttpContext http, KlaxonDbContext db, Access access, CalendarCatalog catalog, CalendarWriteLock writes, IClock clock,
        CancellationToken cancellationToken)
    {
        await RequireWriteAsync(access, db, calendar.Id, cancellationToken);
        var stored = await AddAsync(db, catalog, writes, clock, calendar, cancellationToken);
        SetETag(http, stored);
        return TypedResults.Created($"/api/v1/calendars/{stored.Id}", stored.ToDocument());
    }

    /// <summary>Checks and stores a new calendar (400/409/422 as for POST); the caller checks permissions.</summary>
    public static async Task<StoredCalendar> AddAsync(
        KlaxonDbContext db, CalendarCatalog catalog, CalendarWriteLock writes, IClock clock, CalendarDocument calendar, CancellationToken cancellationToken)
    {
        var definition = Read(calendar, idFromRoute: null);
        StoredCalendar stored;
        using (await writes.EnterAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await db.Calendars.FindAsync([definition.Id], cancellationToken) is not null)
                throw ProblemException.Conflict($"A calendar '{definition.Id}' already exists; PUT /api/v1/calendars/{definition.Id} replaces it.");
            CheckAgainst(catalog, definition);
            db.Calendars.Add(stored = StoredCalendar.Create(definition, clock.GetCurrentInstant()));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            catalog.Put(definition);
        }
        return stored;
    }

    public static async Task<Results<Created<CalendarDocument>, Ok<CalendarDocument>>> PutCalendar(
        string id, CalendarDocument calendar, HttpContext http, KlaxonDbContext db, Access access, CalendarCatalog catalog, CalendarWriteLock writes, IClock clock,
        Rescheduler rescheduler, CancellationToken cancellationToken)
    {
        await RequireWriteAsync(access, db, id, cancellationToken);
        var definition = Read(calendar, idFromRoute: id);
        StoredCalendar? stored;
        bool created;
        using (await writes.EnterAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            stored = await db.Calendars.FindAsync([id], cancellationToken);
            CheckIfMatch(http, id, stored);
            CheckAgainst(catalog, definition);
            created = stored is null;
            if (stored is null)
                db.Calendars.Add(stored = StoredCalendar.Create(definition, clock.GetCurrentInstant()));
            else
                stored.Replace(definition, clock.GetCurrentInstant());
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            catalog.Put(definition);
        }
        await CalendarSync.NotifyAsync(db, cancellationToken);
        // Escalations counting working time on this calendar, or on one deriving from it, move with it.
        await rescheduler.CalendarsAsync(catalog.DependentsOf(id), cancellationToken);
        SetETag(http, stored);
        return created
            ? TypedResults.Created($"/api/v1/calendars/{id}", stored.ToDocument())
            : TypedResults.Ok(stored.ToDocument());
    }

    public static async Task<NoContent> DeleteCalendar(
        string id, HttpContext http, KlaxonDbContext db, Access access, CalendarCatalog catalog, CalendarWriteLock writes, CancellationToken cancellationToken)
    {
        await RequireWriteAsync(access, db, id, cancellationToken);
        using (await writes.EnterAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var stored = await db.Calendars.FindAsync([id], cancellationToken) ?? throw NotFound(id);
            CheckIfMatch(http, id, stored);
            var refusals = catalog.CheckRemove(id).Select(r => Sentence(r.Message)).ToList();
            var projects = await ProjectsUsingAsync(db, id, cancellationToken);
            if (projects.Count > 0)
                refusals.Add($"Calendar '{id}' is the calendar of project {string.Join(", ", projects)}; give {(projects.Count == 1 ? "it" : "them")} another calendar first.");
            if (refusals.Count > 0) throw ProblemException.Conflict(string.Join(" ", refusals));
            db.Calendars.Remove(stored);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            catalog.Remove(id);
        }
        await CalendarSync.NotifyAsync(db, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Refuses (403) a caller who is neither a system administrator nor holds <c>project.admin</c> in a project whose
    /// calendar is <paramref name="id"/>. Asked before anything else, so a refused request learns nothing about the body.
    /// </summary>
    private static async Task RequireWriteAsync(Access access, KlaxonDbContext db, string? id, CancellationToken cancellationToken)
    {
        if (await access.IsAdminAsync(cancellationToken)) return;
        var projects = id is null ? [] : await ProjectsUsingAsync(db, id, cancellationToken);
        foreach (var key in projects)
        {
            if ((await access.PermissionsAsync(key, cancellationToken)).Contains(Permissions.Administer)) return;
        }
        throw ProblemException.Forbidden(projects.Count == 0
            ? $"Only administrators may write calendar '{id}', which is no project's calendar; '{access.Login}' is not one."
            : $"'{access.Login}' may not write calendar '{id}': that needs the permission '{Permissions.Administer}' in project {string.Join(" or ", projects)}, whose calendar it is.");
    }

    private static Task<List<string>> ProjectsUsingAsync(KlaxonDbContext db, string id, CancellationToken cancellationToken) =>
        db.Projects.AsNoTracking().Where(p => p.CalendarId == id).OrderBy(p => p.Key).Select(p => p.Key).ToListAsync(cancellationToken);

    private static CalendarDefinition Read(CalendarDocument calendar, string? idFromRoute)
    {
        var result = calendar.ToDefinition(idFromRoute);
        return result.Success ? result.Value : throw ProblemException.Invalid(result.Diagnostics);
    }

    /// <summary>
    /// Refuses a definition that does not fit the other calendars (400), or that would leave it, or a calendar
    /// deriving from it, without any working time (422).
    /// </summary>
    private static void CheckAgainst(CalendarCatalog catalog, CalendarDefinition definition)
    {
        ProblemException.ThrowIfAny(catalog.Check(definition));
        if (catalog.NeverWorks(definition))
            throw ProblemException.Unprocessable(NeverWorks(definition.Id));

        // A calendar without entries of its own works on exactly the dates its parent works, so only
        // descendants with their own weekly hours or special days need a look of their own.
        var after = new CalendarCatalog(catalog.Definitions.Where(d => d.Id != definition.Id).Append(definition));
        foreach (var dependent in after.DependentsOf(definition.Id).Skip(1).Select(id => after.Find(id)!))
        {
            if ((dependent.WeeklyHours.Count > 0 || dependent.SpecialDays.Count > 0) && after.NeverWorks(dependent))
                throw ProblemException.Unprocessable($"With this change, {NeverWorks(dependent.Id)} It derives from '{definition.Id}'.");
        }
    }

    private static string NeverWorks(string id) =>
        $"calendar '{id}' has no working time in any 10-year window, so working-time questions about it could never be answered; give it weekly hours or working days.";

    private static void CheckIfMatch(HttpContext http, string id, StoredCalendar? stored)
    {
        var ifMatch = http.Request.Headers.IfMatch;
        if (ifMatch.Count == 0) return;
        if (stored is null)
            throw ProblemException.PreconditionFailed($"If-Match was sent, but there is no calendar '{id}'.");
        var current = ETag(stored);
        var accepted = ifMatch.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        if (!accepted.Any(tag => tag == "*" || tag == current || tag == "W/" + current))
            throw ProblemException.PreconditionFailed($"Calendar '{id}' is at version {stored.Version} ({current}), not {ifMatch}; read it again and retry.");
    }

    private static string ETag(StoredCalendar stored) => $"\"{stored.Version}\"";

    private static void SetETag(HttpContext http, StoredCalendar stored) => http.Response.Headers.ETag = ETag(stored);

    private static ProblemException NotFound(string id) => ProblemException.NotFound($"There is no calendar '{id}'.");

    private static string Sentence(string message) => message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..];
}
