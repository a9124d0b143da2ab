using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Apis;

/// <summary>
/// A project's trackers: custom fields and workflow, written as a <see cref="TrackerDocument"/>. Reading needs
/// <c>items.view</c>, writing <c>project.admin</c>. Transitions may only grant the project's roles. Tracker keys are
/// unique across all projects, because item keys (INC-1) are. Responses carry the stored version as an ETag; PUT
/// honours If-Match (409 when stale, as for items).
/// </summary>
public static class TrackersApi
{
    public static RouteGroupBuilder MapTrackersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/projects/{key}/trackers").WithTags("Trackers");
        api.MapGet("", ListTrackers).WithSummary("The project's trackers, ordered by key.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{trackerKey}", GetTracker).WithSummary("One tracker as it is stored.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", CreateTracker).WithSummary("Creates a tracker; 409 if its key is taken in any project.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPut("/{trackerKey}", PutTracker).WithSummary("Creates or replaces a tracker; a status still held by items may not be dropped.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<List<TrackerDocument>>> ListTrackers(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var rows = await db.Trackers.AsNoTracking().Where(t => t.ProjectKey == key).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.OrderBy(t => t.Key, StringComparer.Ordinal).Select(TrackerStorage.Document).ToList());
    }

    public static async Task<Ok<TrackerDocument>> GetTracker(string key, string trackerKey, HttpContext http, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var row = await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == trackerKey && t.ProjectKey == key, cancellationToken)
            ?? throw NotFound(key, trackerKey);
        SetETag(http, row);
        return TypedResults.Ok(TrackerStorage.Document(row));
    }

    public static async Task<Created<TrackerDocument>> CreateTracker(
        string key, TrackerDocument tracker, HttpContext http, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var row = await AddAsync(db, key, tracker, cancellationToken);
        SetETag(http, row);
        return TypedResults.Created($"/api/v1/projects/{key}/trackers/{row.Key}", TrackerStorage.Document(row));
    }

    public static async Task<Results<Created<TrackerDocument>, Ok<TrackerDocument>>> PutTracker(
        string key, string trackerKey, TrackerDocument tracker, HttpContext http, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        if (tracker.Key is not null && tracker.Key != trackerKey)
            throw ProblemException.Invalid("key", $"'{tracker.Key}' differs from the tracker in the path, '{trackerKey}'; a tracker's key cannot change.");
        var definition = await ReadAsync(db, key, tracker with { Key = trackerKey }, cancellationToken);

        var row = await db.Trackers.SingleOrDefaultAsync(t => t.Key == trackerKey, cancellationToken);
        CheckIfMatch(http, trackerKey, row);
        if (row is null)
        {
            row = new TrackerRow { Key = trackerKey, ProjectKey = key, Name = definition.Name, Definition = TrackerStorage.Write(definition), NextNumber = 1, Version = 1 };
            db.Trackers.Add(row);
            await SaveAsync(db, key, trackerKey, cancellationToken);
            SetETag(http, row);
            return TypedResults.Created($"/api/v1/projects/{key}/trackers/{trackerKey}", TrackerStorage.Document(row));
        }
        if (row.ProjectKey != key) throw Taken(key, trackerKey, row.ProjectKey);
        await CheckReplacementAsync(db, TrackerStorage.Read(row), definition, cancellationToken);
        row.Name = definition.Name;
        row.Definition = TrackerStorage.Write(definition);
        row.Version++;
        await db.SaveChangesAsync(cancellationToken);
        SetETag(http, row);
        return TypedResults.Ok(TrackerStorage.Document(row));
    }

    /// <summary>Checks and stores a new tracker of a project (400 for a wrong document, 409 for a taken key); the caller checks permissions.</summary>
    public static async Task<TrackerRow> AddAsync(KlaxonDbContext db, string key, TrackerDocument tracker, CancellationToken cancellationToken)
    {
        var definition = await ReadAsync(db, key, tracker, cancellationToken);
        await RefuseTakenKeyAsync(db, key, definition.Key, cancellationToken);
        var row = new TrackerRow { Key = definition.Key, ProjectKey = key, Name = definition.Name, Definition = TrackerStorage.Write(definition), NextNumber = 1, Version = 1 };
        db.Trackers.Add(row);
        await SaveAsync(db, key, definition.Key, cancellationToken);
        return row;
    }

    private static async Task<Tracker> ReadAsync(KlaxonDbContext db, string projectKey, TrackerDocument document, CancellationToken cancellationToken)
    {
        var roles = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == projectKey).Select(r => r.Name).ToListAsync(cancellationToken);
        var result = document.ToTracker(roles.Order(StringComparer.Ordinal).ToList());
        return result.Success ? result.Value : throw ProblemException.Invalid(result.Diagnostics);
    }

    /// <summary>
    /// Refuses (409) a new definition that would strand items: a status some items are in that the workflow no
    /// longer has, or a custom field whose type changes (stored values would no longer read as that type).
    /// </summary>
    private static async Task CheckReplacementAsync(KlaxonDbContext db, Tracker before, Tracker after, CancellationToken cancellationToken)
    {
        foreach (var field in after.Fields)
        {
            if (before.Field(field.Name) is { } old && old.Type != field.Type)
                throw ProblemException.Conflict(
                    $"The field '{field.Name}' of {after.Key} is {TrackerDocument.FieldTypeName(old.Type)}; its type cannot change to {TrackerDocument.FieldTypeName(field.Type)}. Add a field with a new name instead.");
        }
        var dropped = before.Workflow.Statuses.Except(after.Workflow.Statuses).ToList();
        if (dropped.Count == 0) return;
        var stranded = await db.Items.AsNoTracking()
            .Where(i => i.TrackerKey == after.Key && dropped.Contains(i.Status))
            .GroupBy(i => i.Status).Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        if (stranded.Count > 0)
            throw ProblemException.Conflict(
                $"The new workflow of {after.Key} drops {string.Join(", ", stranded.OrderBy(s => s.Status, StringComparer.Ordinal).Select(s => $"'{s.Status}' ({s.Count} item{(s.Count == 1 ? "" : "s")})"))}; move those items to another status first.");
    }

    private static async Task RefuseTakenKeyAsync(KlaxonDbContext db, string projectKey, string trackerKey, CancellationToken cancellationToken)
    {
        var owner = await db.Trackers.AsNoTracking().Where(t => t.Key == trackerKey).Select(t => t.ProjectKey).SingleOrDefaultAsync(cancellationToken);
        if (owner is not null) throw Taken(projectKey, trackerKey, owner);
    }

    /// <summary>Saves a new tracker; a concurrent request that stored the same key first makes it a 409.</summary>
    private static async Task SaveAsync(KlaxonDbContext db, string projectKey, string trackerKey, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            await RefuseTakenKeyAsync(db, projectKey, trackerKey, cancellationToken);
            throw;
        }
    }

    private static ProblemException Taken(string projectKey, string trackerKey, string owner) => owner == projectKey
        ? ProblemException.Conflict($"A tracker '{trackerKey}' already exists in project {projectKey}; PUT /api/v1/projects/{projectKey}/trackers/{trackerKey} replaces it.")
        : ProblemException.Conflict($"The tracker key '{trackerKey}' is taken by project {owner}; item keys are global (such as {trackerKey}-1), so tracker keys are unique across projects.");

    private static void CheckIfMatch(HttpContext http, string trackerKey, TrackerRow? row)
    {
        var ifMatch = http.Request.Headers.IfMatch;
        if (ifMatch.Count == 0) return;
        if (row is null)
            throw ProblemException.Conflict($"If-Match was sent, but there is no tracker '{trackerKey}'.");
        var current = ETag(row);
        var accepted = ifMatch.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        if (!accepted.Any(tag => tag == "*" || tag == current || tag == "W/" + current))
            throw ProblemException.Conflict($"Tracker '{trackerKey}' is at version {row.Version} ({current}), not {ifMatch}; read it again and retry.");
    }

    private static string ETag(TrackerRow row) => $"\"{row.Version}\"";

    private static void SetETag(HttpContext http, TrackerRow row) => http.Response.Headers.ETag = ETag(row);

    private static ProblemException NotFound(string projectKey, string trackerKey) =>
        ProblemException.NotFound($"There is no tracker '{trackerKey}' in project {projectKey}.");
}
