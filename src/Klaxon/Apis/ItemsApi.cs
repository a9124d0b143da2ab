using Klaxon.Core;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>
/// Items: create in a project, read, update fields, run workflow transitions, read history, link. Handlers check
/// the caller's project permissions (<c>items.view</c>, <c>items.create</c>, <c>items.edit</c>,
/// <c>items.transition</c>) and leave the change itself to <see cref="ItemChanges"/>. Responses carry the item's
/// version as an ETag; PATCH and transitions honour If-Match (or <c>"version"</c> in the body) with 409 when stale.
/// </summary>
public static class ItemsApi
{
    public static IEndpointRouteBuilder MapItemsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/projects/{key}/items", CreateItem).WithTags("Items")
            .WithSummary("Creates an item in the tracker's initial status, submitted now by the caller.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        var items = app.MapGroup("/items/{key}").WithTags("Items");
        items.MapGet("", GetItem).WithSummary("One item with its fields and links.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        items.MapPatch("", UpdateItem).WithSummary("Changes the fields sent (null clears one); the status moves only by transitions.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        items.MapGet("/transitions", ListTransitions).WithSummary("The transitions the caller may run now, with what each still misses.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        items.MapPost("/transitions", RunTransition).WithSummary("Runs a workflow transition from the current status.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        items.MapGet("/history", GetHistory).WithSummary("Every change of the item, oldest first.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        items.MapGet("/links", ListLinks).WithSummary("The item's links, outgoing and incoming.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        items.MapPost("/links", CreateLink).WithSummary("Links the item to another item with a type such as bug-report.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        items.MapDelete("/links/{type}/{target}", DeleteLink).WithSummary("Removes the link of that type between the item and the target, in either direction.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Created<ItemAnswer>> CreateItem(
        string key, CreateItemRequest request, HttpContext http, KlaxonDbContext db, Access access, IClock clock, Rescheduler rescheduler,
        ConfigCache cache, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.CreateItems, cancellationToken);
        if (string.IsNullOrWhiteSpace(request.Tracker))
            throw ProblemException.Invalid("tracker", "is required: the key of one of the project's trackers, such as INC.");
        var trackerRow = await cache.GetAsync(db, ("tracker", key, request.Tracker),
                () => db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == request.Tracker && t.ProjectKey == key, cancellationToken), cancellationToken)
            ?? throw ProblemException.Invalid("tracker", $"there is no tracker '{request.Tracker}' in project {key}.");
        var values = Read(request.ToValues(TrackerStorage.Read(trackerRow)));
        // Creating runs no workflow transition, so the submitter's roles are not needed.
        var submitter = ItemActor.User(access.Login, [], await access.IsAdminAsync(cancellationToken));
        var change = await Changes(http, db, clock).CreateAsync(trackerRow, values, submitter, cancellationToken);
        await rescheduler.CreatedAsync(change.Item, trackerRow, cancellationToken);
        SetETag(http, change.Item);
        return TypedResults.Created($"/api/v1/items/{change.Item.Key}", ItemAnswer.From(change.Item, change.Tracker, []));
    }

    public static async Task<Ok<ItemAnswer>> GetItem(string key, HttpContext http, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var changes = new ItemChanges(db, clock);
        var item = await changes.FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.ViewItems, cancellationToken);
        SetETag(http, item);
        return TypedResults.Ok(ItemAnswer.From(item, await changes.TrackerAsync(item.TrackerKey, cancellationToken), await ItemLinks.VisibleAsync(db, access, item, cancellationToken)));
    }

    public static async Task<Ok<ItemAnswer>> UpdateItem(
        string key, UpdateItemRequest request, HttpContext http, KlaxonDbContext db, Access access, IClock clock, Rescheduler rescheduler,
        CancellationToken cancellationToken)
    {
        var changes = Changes(http, db, clock);
        var item = await changes.FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.EditItems, cancellationToken);
        var values = Read(request.ToValues(await changes.TrackerAsync(item.TrackerKey, cancellationToken)));
        var expected = ExpectedVersion(http, request.Version);
        var change = await changes.UpdateAsync(key, values, await ActorAsync(db, access, item.ProjectKey, cancellationToken), expected, cancellationToken);
        if (change.Changed) await rescheduler.ItemAsync(change.Item, cancellationToken);
        return await AnswerAsync(http, db, access, change, cancellationToken);
    }

    public static async Task<Ok<List<TransitionAnswer>>> ListTransitions(string key, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var changes = new ItemChanges(db, clock);
        var item = await changes.FindAsync(key, cancellationToken);
        var permissions = await access.PermissionsAsync(item.ProjectKey, cancellationToken);
        if (!permissions.Contains(Permissions.ViewItems))
            throw ProblemException.Forbidden($"'{access.Login}' lacks the permission '{Permissions.ViewItems}' in project {item.ProjectKey}.");
        if (!permissions.Contains(Permissions.RunTransitions)) return TypedResults.Ok(new List<TransitionAnswer>());
        var tracker = await changes.TrackerAsync(item.TrackerKey, cancellationToken);
        var available = await changes.AvailableAsync(item, tracker, await ActorAsync(db, access, item.ProjectKey, cancellationToken), cancellationToken);
        return TypedResults.Ok(available.Select(a => new TransitionAnswer(a.Transition.Name, a.Transition.From, a.Transition.To, a.Transition.Requires, a.Missing)).ToList());
    }

    public static async Task<Ok<ItemAnswer>> RunTransition(
        string key, RunTransitionRequest request, HttpContext http, KlaxonDbContext db, Access access, IClock clock, Rescheduler rescheduler,
        CancellationToken cancellationToken)
    {
        var changes = Changes(http, db, clock);
        var item = await changes.FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.RunTransitions, cancellationToken);
        if (string.IsNullOrWhiteSpace(request.Transition))
            throw ProblemException.Invalid("transition", "is required: the name of a transition, as GET /api/v1/items/{key}/transitions lists them.");
        var expected = ExpectedVersion(http, request.Version);
        var change = await changes.TransitionAsync(key, request.Transition, await ActorAsync(db, access, item.ProjectKey, cancellationToken), expected, cancellationToken);
        if (change.Changed) await rescheduler.ItemAsync(change.Item, cancellationToken);
        return await AnswerAsync(http, db, access, change, cancellationToken);
    }

    public static async Task<Ok<List<HistoryAnswer>>> GetHistory(string key, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var item = await new ItemChanges(db, clock).FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.ViewItems, cancellationToken);
        var rows = await db.History.AsNoTracking().Where(h => h.ItemId == item.Id).OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(HistoryAnswer.From).ToList());
    }

    public static async Task<Ok<List<LinkAnswer>>> ListLinks(string key, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var item = await new ItemChanges(db, clock).FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.ViewItems, cancellationToken);
        return TypedResults.Ok(await ItemLinks.VisibleAsync(db, access, item, cancellationToken));
    }

    public static async Task<Created<LinkAnswer>> CreateLink(
        string key, CreateLinkRequest request, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var changes = new ItemChanges(db, clock);
        var item = await changes.FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.EditItems, cancellationToken);
        var errors = new List<Diagnostic>();
        if (string.IsNullOrWhiteSpace(request.Type)) errors.Add(new("type", "is required: the kind of link, such as bug-report."));
        if (string.IsNullOrWhiteSpace(request.Item)) errors.Add(new("item", "is required: the key of the item to link to, such as BUG-3."));
        ProblemException.ThrowIfAny(errors);
        var targetProject = await db.Items.AsNoTracking().Where(i => i.Key == request.Item).Select(i => i.ProjectKey).SingleOrDefaultAsync(cancellationToken)
            ?? throw ProblemException.Invalid("item", $"there is no item '{request.Item}'.");
        await access.RequireAsync(targetProject, Permissions.ViewItems, cancellationToken);
        var change = await changes.LinkAsync(key, request.Type!, request.Item!, await ActorAsync(db, access, item.ProjectKey, cancellationToken), cancellationToken);
        var answer = new LinkAnswer(change.Link.Type, LinkAnswer.Outgoing, change.Target.Key, change.Target.Summary, change.Target.Status, Iso(change.Link.CreatedAt));
        return TypedResults.Created($"/api/v1/items/{key}/links/{Uri.EscapeDataString(change.Link.Type)}/{change.Target.Key}", answer);
    }

    public static async Task<NoContent> DeleteLink(
        string key, string type, string target, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var changes = new ItemChanges(db, clock);
        var item = await changes.FindAsync(key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.EditItems, cancellationToken);
        var targetProject = await db.Items.AsNoTracking().Where(i => i.Key == target).Select(i => i.ProjectKey).SingleOrDefaultAsync(cancellationToken)
            ?? throw ProblemException.NotFound($"There is no item '{target}'.");
        await access.RequireAsync(targetProject, Permissions.ViewItems, cancellationToken);
        await changes.UnlinkAsync(key, type, target, await ActorAsync(db, access, item.ProjectKey, cancellationToken), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Changes made by the caller, a person: they send the messages people's changes send (<see cref="Delivery.ChangeMessages"/>).</summary>
    private static ItemChanges Changes(HttpContext http, KlaxonDbContext db, IClock clock) =>
        new(db, clock) { Recorder = Delivery.ChangeMessages.ForRequest(http, db) };

    /// <summary>The caller as the workflow sees them: login, roles in the project (directly and through groups), administrator or not.</summary>
    private static async Task<ItemActor> ActorAsync(KlaxonDbContext db, Access access, string projectKey, CancellationToken cancellationToken) =>
        ItemActor.User(access.Login, await Access.RolesAsync(db, projectKey, access.Login, directOnly: false, cancellationToken), await access.IsAdminAsync(cancellationToken));

    private static async Task<Ok<ItemAnswer>> AnswerAsync(HttpContext http, KlaxonDbContext db, Access access, ItemChange change, CancellationToken cancellationToken)
    {
        SetETag(http, change.Item);
        return TypedResults.Ok(ItemAnswer.From(change.Item, change.Tracker, await ItemLinks.VisibleAsync(db, access, change.Item, cancellationToken)));
    }

    /// <summary>
    /// The version a change expects: the one If-Match names (<c>"3"</c> or <c>W/"3"</c>; <c>*</c> expects none),
    /// or the body's <c>version</c>; 400 when they disagree or If-Match is not an item ETag.
    /// </summary>
    private static int? ExpectedVersion(HttpContext http, int? bodyVersion)
    {
        int? header = null;
        foreach (var tag in http.Request.Headers.IfMatch.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (tag == "*") continue;
            var quoted = tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
            if (quoted.Length < 3 || quoted[0] != '"' || quoted[^1] != '"' || !int.TryParse(quoted[1..^1], out var version))
                throw ProblemException.Invalid("If-Match", $"{tag} is not an ETag of an item; send the ETag a GET answered, such as \"3\".");
            if (header is not null && header != version)
                throw ProblemException.Invalid("If-Match", "names several versions; send the one ETag the item was read with.");
            header = version;
        }
        if (header is not null && bodyVersion is not null && header != bodyVersion)
            throw ProblemException.Invalid("version", $"{bodyVersion} differs from the If-Match header's version {header}; send one of them.");
        return header ?? bodyVersion;
    }

    private static Dictionary<string, object?> Read(ParseResult<Dictionary<string, object?>> values) =>
        values.Success ? values.Value : throw ProblemException.Invalid(values.Diagnostics);

    private static void SetETag(HttpContext http, ItemRow item) => http.Response.Headers.ETag = $"\"{item.Version}\"";

    private static string Iso(long milliseconds) => IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(milliseconds));
}
