using Klaxon.Core;
using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>
/// Saved views (named filters over one tracker's items) and item listings, by view or by an ad-hoc filter.
/// Reading needs <c>items.view</c>. A private view is seen only by its owner (to anyone else it does not exist);
/// writing a public one needs <c>project.admin</c>. A filter that does not compile against the tracker's fields is
/// refused with its positioned message and nothing is stored. Listings run the filter in the database
/// (<see cref="ItemQuery"/>), sorted and paged there.
/// </summary>
public static class ViewsApi
{
    public const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapViewsApi(this IEndpointRouteBuilder app)
    {
        var views = app.MapGroup("/projects/{key}/views").WithTags("Views");
        views.MapGet("", ListViews).WithSummary("The project's public views and the caller's private ones, by name.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        views.MapPost("", CreateView).WithSummary("Saves a view; its filter must compile against the tracker's fields. Public views need project.admin.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        views.MapGet("/{id:long}", GetView).WithSummary("One view.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        views.MapPut("/{id:long}", PutView).WithSummary("Replaces a view (public left out keeps it as it is). Public views need project.admin.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        views.MapDelete("/{id:long}", DeleteView).WithSummary("Deletes a view. Public views need project.admin.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        views.MapGet("/{id:long}/items", ListViewItems).WithSummary("The items the view selects, sorted (sort=priority,-submittedAt) and paged (page, pageSize up to 500).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        app.MapGet("/projects/{key}/items", ListItems).WithTags("Items")
            .WithSummary("The project's items (of one tracker, matching a filter when given), sorted (sort=priority,-submittedAt) and paged (page, pageSize up to 500).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<List<ViewAnswer>>> ListViews(string key, string? tracker, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var login = access.Login;
        var query = db.Views.AsNoTracking().Where(v => v.ProjectKey == key && (v.IsPublic || v.Owner == login));
        if (tracker is not null) query = query.Where(v => v.TrackerKey == tracker);
        var rows = await query.ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.OrderBy(v => v.Name, StringComparer.Ordinal).ThenBy(v => v.Id).Select(ViewAnswer.From).ToList());
    }

    public static async Task<Ok<ViewAnswer>> GetView(string key, long id, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        return TypedResults.Ok(ViewAnswer.From(await VisibleViewAsync(db, access, key, id, cancellationToken)));
    }

    public static async Task<Created<ViewAnswer>> CreateView(string key, ViewRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        var isPublic = request.Public ?? false;
        await RequireWriteAsync(access, key, isPublic, cancellationToken);
        var (tracker, filter) = await ValidateAsync(db, key, request, cancellationToken);
        var row = new ViewRow
        {
            ProjectKey = key,
            Name = request.Name!.Trim(),
            TrackerKey = tracker.Key,
            Filter = filter,
            IsPublic = isPublic,
            Owner = access.Login,
            Version = 1,
        };
        db.Views.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/projects/{key}/views/{row.Id}", ViewAnswer.From(row));
    }

    public static async Task<Ok<ViewAnswer>> PutView(
        string key, long id, ViewRequest request, KlaxonDbContext db, Access access, Rescheduler rescheduler, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var row = await VisibleViewAsync(db, access, key, id, cancellationToken, tracked: true);
        var isPublic = request.Public ?? row.IsPublic;
        await RequireWriteAsync(access, key, row.IsPublic || isPublic, cancellationToken);
        var (tracker, filter) = await ValidateAsync(db, key, request, cancellationToken);
        var (wasPublic, previousTracker) = (row.IsPublic, row.TrackerKey);
        row.Name = request.Name!.Trim();
        row.TrackerKey = tracker.Key;
        row.Filter = filter;
        row.IsPublic = isPublic;
        row.Version++;
        await db.SaveChangesAsync(cancellationToken);
        if (wasPublic) await RescheduleAsync(db, rescheduler, previousTracker, cancellationToken);
        if (isPublic && (!wasPublic || previousTracker != tracker.Key)) await RescheduleAsync(db, rescheduler, tracker.Key, cancellationToken);
        return TypedResults.Ok(ViewAnswer.From(row));
    }

    public static async Task<NoContent> DeleteView(
        string key, long id, KlaxonDbContext db, Access access, Rescheduler rescheduler, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var row = await VisibleViewAsync(db, access, key, id, cancellationToken, tracked: true);
        await RequireWriteAsync(access, key, row.IsPublic, cancellationToken);
        db.Views.Remove(row);
        await db.SaveChangesAsync(cancellationToken);
        if (row.IsPublic) await RescheduleAsync(db, rescheduler, row.TrackerKey, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// A public view may select an escalation group's items, so after it changes the tracker's items are
    /// rescheduled (DESIGN.md, "Rescheduling") — when the tracker has any escalation group at all.
    /// </summary>
    private static async Task RescheduleAsync(KlaxonDbContext db, Rescheduler rescheduler, string trackerKey, CancellationToken cancellationToken)
    {
        if (await db.EscalationGroups.AnyAsync(g => g.TrackerKey == trackerKey, cancellationToken))
            await rescheduler.TrackerAsync(trackerKey, cancellationToken);
    }

    public static async Task<Ok<ItemPageAnswer>> ListViewItems(
        string key, long id, string? sort, int? page, int? pageSize, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var view = await VisibleViewAsync(db, access, key, id, cancellationToken);
        var (keys, paging) = ReadListing(sort, page, pageSize);
        var trackerRow = await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == view.TrackerKey && t.ProjectKey == key, cancellationToken)
            ?? throw ProblemException.Unprocessable($"View {id} lists tracker {view.TrackerKey}, which is no longer in project {key}; change the view's tracker.");
        var tracker = TrackerStorage.Read(trackerRow);
        CompiledExpression? filter = null;
        if (view.Filter.Trim().Length > 0)
        {
            var compiled = Expression.Compile(view.Filter, tracker.Schema, ExprType.Bool);
            if (!compiled.Success)
                throw ProblemException.Unprocessable($"The filter of view {id} no longer fits tracker {tracker.Key}: {string.Join(" ", compiled.Errors)}. Correct the view.");
            filter = compiled.Expression;
        }
        var items = ItemQuery.Matching(db, key, tracker.Key, filter, ItemQuery.Now(clock));
        return TypedResults.Ok(await PageAsync(db, access, items, keys, paging, new() { [tracker.Key] = tracker }, cancellationToken));
    }

    public static async Task<Ok<ItemPageAnswer>> ListItems(
        string key, string? tracker, string? filter, string? sort, int? page, int? pageSize, KlaxonDbContext db, Access access, IClock clock,
        CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var (keys, paging) = ReadListing(sort, page, pageSize);
        Tracker? restricted = null;
        if (tracker is not null)
        {
            var row = await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == tracker && t.ProjectKey == key, cancellationToken)
                ?? throw ProblemException.Invalid("tracker", $"there is no tracker '{tracker}' in project {key}.");
            restricted = TrackerStorage.Read(row);
        }
        CompiledExpression? compiled = null;
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (restricted is null)
                throw ProblemException.Invalid("filter", "needs a tracker whose fields it names: add tracker=KEY (such as tracker=INC).");
            var result = Expression.Compile(filter, restricted.Schema, ExprType.Bool);
            if (!result.Success) throw ProblemException.Invalid(result.ToDiagnostics("filter"));
            compiled = result.Expression;
        }
        var trackers = restricted is not null
            ? new Dictionary<string, Tracker> { [restricted.Key] = restricted }
            : (await db.Trackers.AsNoTracking().Where(t => t.ProjectKey == key).ToListAsync(cancellationToken)).ToDictionary(t => t.Key, TrackerStorage.Read);
        var items = ItemQuery.Matching(db, key, restricted?.Key, compiled, ItemQuery.Now(clock));
        return TypedResults.Ok(await PageAsync(db, access, items, keys, paging, trackers, cancellationToken));
    }

    private static (IReadOnlyList<ItemSortKey> Keys, (int Page, int PageSize) Paging) ReadListing(string? sort, int? page, int? pageSize)
    {
        var errors = new List<Diagnostic>();
        var keys = ItemQuery.ParseSort(sort).OrCollect(errors);
        var paging = ItemQuery.ParsePage(page, pageSize).OrCollect(errors);
        ProblemException.ThrowIfAny(errors);
        return (keys!, paging);
    }

    private static async Task<ItemPageAnswer> PageAsync(
        KlaxonDbContext db, Access access, IQueryable<ItemRow> items, IReadOnlyList<ItemSortKey> keys, (int Page, int PageSize) paging,
        Dictionary<string, Tracker> trackers, CancellationToken cancellationToken)
    {
        var total = await items.CountAsync(cancellationToken);
        var rows = await ItemQuery.Sort(items, keys).Skip((paging.Page - 1) * paging.PageSize).Take(paging.PageSize).ToListAsync(cancellationToken);
        var links = await ItemLinks.VisibleAsync(db, access, rows, cancellationToken);
        var answers = rows.Select(r => ItemAnswer.From(r, trackers[r.TrackerKey], links.GetValueOrDefault(r.Id) ?? [])).ToList();
        return new ItemPageAnswer(answers, total, paging.Page, paging.PageSize);
    }

    /// <summary>A view of the project the caller may see: public, or private and their own; 404 otherwise.</summary>
    private static async Task<ViewRow> VisibleViewAsync(KlaxonDbContext db, Access access, string key, long id, CancellationToken cancellationToken, bool tracked = false)
    {
        var views = tracked ? db.Views : db.Views.AsNoTracking();
        var row = await views.SingleOrDefaultAsync(v => v.Id == id && v.ProjectKey == key, cancellationToken);
        return row is not null && (row.IsPublic || row.Owner == access.Login)
            ? row
            : throw ProblemException.NotFound($"There is no view {id} in project {key}.");
    }

    /// <summary>Writing any view needs <c>items.view</c>; a public one (before or after the change) also <c>project.admin</c>.</summary>
    private static async Task RequireWriteAsync(Access access, string key, bool isPublic, CancellationToken cancellationToken)
    {
        var granted = await access.PermissionsAsync(key, cancellationToken);
        if (!granted.Contains(Permissions.ViewItems))
            throw ProblemException.Forbidden($"'{access.Login}' lacks the permission '{Permissions.ViewItems}' in project {key}.");
        if (isPublic && !granted.Contains(Permissions.Administer))
            throw ProblemException.Forbidden($"Public views of project {key} need the permission '{Permissions.Administer}', which '{access.Login}' lacks; a private view (\"public\": false) needs none.");
    }

    /// <summary>Checks name, tracker and filter; the filter must be a condition over the tracker's fields (empty selects every item).</summary>
    private static async Task<(Tracker Tracker, string Filter)> ValidateAsync(KlaxonDbContext db, string key, ViewRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<Diagnostic>();
        if (string.IsNullOrWhiteSpace(request.Name)) errors.Add(new("name", "is required."));
        else if (request.Name.Trim().Length > MaxNameLength) errors.Add(new("name", $"is longer than {MaxNameLength} characters."));
        Tracker? tracker = null;
        if (string.IsNullOrWhiteSpace(request.Tracker)) errors.Add(new("tracker", "is required: the key of one of the project's trackers, such as INC."));
        else if (await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == request.Tracker && t.ProjectKey == key, cancellationToken) is { } row)
            tracker = TrackerStorage.Read(row);
        else errors.Add(new("tracker", $"there is no tracker '{request.Tracker}' in project {key}."));

        var filter = string.IsNullOrWhiteSpace(request.Filter) ? "" : request.Filter;
        if (tracker is not null && filter.Length > 0)
        {
            var compiled = Expression.Compile(filter, tracker.Schema, ExprType.Bool);
            if (!compiled.Success) errors.AddRange(compiled.ToDiagnostics("filter"));
        }
        ProblemException.ThrowIfAny(errors);
        return (tracker!, filter);
    }
}
