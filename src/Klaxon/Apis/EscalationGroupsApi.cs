using System.Text.Json;
using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>A stored escalation group: its id and version, and the document as its owner wrote it.</summary>
public sealed record EscalationGroupAnswer(long Id, int Version, EscalationGroupDocument Group);

/// <summary>
/// Escalation groups of a project's trackers. Every write is checked in full (predicate, anchors, limits, repeat
/// rule, transitions, roles, users, calendars) and refused with the field and reason, storing nothing; an accepted
/// write reschedules every item of the tracker at once.
/// </summary>
public static class EscalationGroupsApi
{
    public static RouteGroupBuilder MapEscalationGroupsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/projects/{key}/escalation-groups").WithTags("Escalation groups");
        api.MapGet("", ListGroups).WithSummary("The project's escalation groups (needs 'View Escalation Schedule').");
        api.MapGet("/{id:long}", GetGroup).WithSummary("One escalation group.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/preview", PreviewGroup)
            .WithSummary("What a group would do, before it is saved: the items it selects now, each rule's due for each, and the messages per recipient over the next 7 days (items assumed unchanged). 'replacing' names the stored group it would replace, whose firings then count.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", CreateGroup).WithSummary("Creates an escalation group (project administrators).").ProducesValidationProblem();
        api.MapPut("/{id:long}", ReplaceGroup).WithSummary("Replaces an escalation group (project administrators).").ProducesValidationProblem();
        api.MapDelete("/{id:long}", DeleteGroup).WithSummary("Deletes an escalation group; its pending escalations are cancelled.");
        return api;
    }

    public static async Task<Ok<List<EscalationGroupAnswer>>> ListGroups(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewEscalationSchedule, cancellationToken);
        var rows = await db.EscalationGroups.AsNoTracking().Where(g => g.ProjectKey == key).OrderBy(g => g.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(Answer).ToList());
    }

    public static async Task<Ok<EscalationGroupAnswer>> GetGroup(string key, long id, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewEscalationSchedule, cancellationToken);
        return TypedResults.Ok(Answer(await FindAsync(db, key, id, cancellationToken)));
    }

    public static async Task<Ok<EscalationPreviewAnswer>> PreviewGroup(
        string key, long? replacing, EscalationGroupDocument group, KlaxonDbContext db, Access access, CalendarCatalog catalog, IClock clock,
        CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewEscalationSchedule, cancellationToken);
        if (replacing is { } id) await FindAsync(db, key, id, cancellationToken);
        var checkedGroup = await CheckAsync(db, catalog, key, group, cancellationToken);
        var tracker = TrackerStorage.Read(await db.Trackers.AsNoTracking().SingleAsync(t => t.Key == checkedGroup.Tracker, cancellationToken));
        return TypedResults.Ok(await EscalationPreview.RunAsync(db, catalog, key, tracker, checkedGroup, replacing, clock.GetCurrentInstant(), cancellationToken));
    }

    public static async Task<Created<EscalationGroupAnswer>> CreateGroup(
        string key, EscalationGroupDocument group, KlaxonDbContext db, Access access, CalendarCatalog catalog, Rescheduler rescheduler, IClock clock,
        CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var row = await AddAsync(db, catalog, rescheduler, clock, key, group, cancellationToken);
        return TypedResults.Created($"/api/v1/projects/{key}/escalation-groups/{row.Id}", Answer(row));
    }

    /// <summary>Checks and stores a new group (400 naming each wrong part) and reschedules its tracker; the caller checks permissions.</summary>
    public static async Task<EscalationGroupRow> AddAsync(
        KlaxonDbContext db, CalendarCatalog catalog, Rescheduler rescheduler, IClock clock, string key, EscalationGroupDocument group, CancellationToken cancellationToken)
    {
        var checkedGroup = await CheckAsync(db, catalog, key, group, cancellationToken);
        var row = new EscalationGroupRow
        {
            ProjectKey = key,
            TrackerKey = checkedGroup.Tracker,
            Name = checkedGroup.Name,
            Document = JsonSerializer.Serialize(group, KlaxonJson.Options),
            Enabled = checkedGroup.Enabled,
            Version = 1,
            UpdatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds(),
        };
        db.EscalationGroups.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await rescheduler.TrackerAsync(row.TrackerKey, cancellationToken);
        return row;
    }

    public static async Task<Ok<EscalationGroupAnswer>> ReplaceGroup(
        string key, long id, EscalationGroupDocument group, KlaxonDbContext db, Access access, CalendarCatalog catalog, Rescheduler rescheduler, IClock clock,
        CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var row = await FindAsync(db, key, id, cancellationToken, track: true);
        var checkedGroup = await CheckAsync(db, catalog, key, group, cancellationToken);
        var trackers = new[] { row.TrackerKey, checkedGroup.Tracker }.Distinct().ToList();
        row.TrackerKey = checkedGroup.Tracker;
        row.Name = checkedGroup.Name;
        row.Document = JsonSerializer.Serialize(group, KlaxonJson.Options);
        row.Enabled = checkedGroup.Enabled;
        row.Version++;
        row.UpdatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        await db.SaveChangesAsync(cancellationToken);
        foreach (var tracker in trackers) await rescheduler.TrackerAsync(tracker, cancellationToken);
        return TypedResults.Ok(Answer(row));
    }

    public static async Task<NoContent> DeleteGroup(string key, long id, KlaxonDbContext db, Access access, Rescheduler rescheduler, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var row = await FindAsync(db, key, id, cancellationToken, track: true);
        db.EscalationGroups.Remove(row);
        await db.SaveChangesAsync(cancellationToken);
        await rescheduler.TrackerAsync(row.TrackerKey, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<EscalationGroup> CheckAsync(KlaxonDbContext db, CalendarCatalog catalog, string projectKey, EscalationGroupDocument group, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(group.Tracker)) throw ProblemException.Invalid("tracker", "is required.");
        var trackerRow = await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == group.Tracker && t.ProjectKey == projectKey, cancellationToken)
            ?? throw ProblemException.Invalid("tracker", $"there is no tracker '{group.Tracker}' in project {projectKey}.");
        var users = (await db.Users.AsNoTracking().Select(u => u.Login).ToListAsync(cancellationToken)).ToHashSet();
        var context = await EscalationGroups.ContextAsync(db, projectKey, TrackerStorage.Read(trackerRow), users.Contains, id => catalog.Find(id) is not null, cancellationToken);
        var result = group.ToGroup(context);
        return result.Success ? result.Value : throw ProblemException.Invalid(result.Diagnostics);
    }

    private static async Task<EscalationGroupRow> FindAsync(KlaxonDbContext db, string key, long id, CancellationToken cancellationToken, bool track = false)
    {
        var query = track ? db.EscalationGroups : db.EscalationGroups.AsNoTracking();
        return await query.SingleOrDefaultAsync(g => g.Id == id && g.ProjectKey == key, cancellationToken)
            ?? throw ProblemException.NotFound($"There is no escalation group {id} in project {key}.");
    }

    private static EscalationGroupAnswer Answer(EscalationGroupRow row) => new(row.Id, row.Version, EscalationGroups.Document(row));
}
