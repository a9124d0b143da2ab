using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Web.Pages.Projects;

/// <summary>
/// A project's items: by saved view or by a filter in the expression language (checked first, so a wrong filter
/// shows its positioned errors), sorted and paged by the same listing code as the REST API; with each item's next
/// due escalation and working time left for users who may view escalation schedules.
/// </summary>
public sealed class ItemsModel(KlaxonDbContext db, Access access, IClock clock, CalendarCatalog catalog, Rescheduler rescheduler, ConfigCache cache) : PageModel
{
    public const int PageSize = 25;

    [FromRoute]
    public string Key { get; set; } = "";

    [FromQuery(Name = "view")]
    public long? ViewId { get; set; }

    [FromQuery(Name = "tracker")]
    public string? TrackerKey { get; set; }

    [FromQuery(Name = "filter")]
    public string? Filter { get; set; }

    [FromQuery(Name = "sort")]
    public string? Sort { get; set; }

    [FromQuery(Name = "page")]
    public int? PageNumber { get; set; }

    public string ProjectName { get; private set; } = "";
    public List<ViewAnswer> Views { get; private set; } = [];
    public List<TrackerRow> Trackers { get; private set; } = [];
    public ItemPageAnswer? Listing { get; private set; }
    public IReadOnlyList<ExpressionErrorAnswer> FilterErrors { get; private set; } = [];
    public string? Problem { get; private set; }
    public Dictionary<string, NextDue> NextDue { get; private set; } = [];
    public bool SeesEscalations { get; private set; }
    public bool MayCreate { get; private set; }
    public bool MayAdminister { get; private set; }
    public List<string> CreateErrors { get; } = [];
    public Instant Now { get; private set; }

    [BindProperty]
    public NewItemForm NewItem { get; set; } = new();

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var request = new CreateItemRequest
        {
            Tracker = NewItem.Tracker,
            Summary = NewItem.Summary,
            Description = string.IsNullOrWhiteSpace(NewItem.Description) ? null : NewItem.Description,
            Priority = NewItem.Priority,
            Severity = NewItem.Severity,
        };
        try
        {
            var created = await ItemsApi.CreateItem(Key, request, HttpContext, db, access, clock, rescheduler, cache, cancellationToken);
            return Redirect($"/items/{created.Value!.Key}");
        }
        catch (ProblemException refused) when (refused.Status == StatusCodes.Status400BadRequest)
        {
            CreateErrors.AddRange(refused.Errors.Count > 0 ? refused.Errors.Select(e => e.ToString()) : [refused.Message]);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetCurrentInstant();
        Views = (await ViewsApi.ListViews(Key, null, db, access, cancellationToken)).Value!;
        var permissions = await access.PermissionsAsync(Key, cancellationToken);
        SeesEscalations = permissions.Contains(Permissions.ViewEscalationSchedule);
        MayCreate = permissions.Contains(Permissions.CreateItems);
        MayAdminister = permissions.Contains(Permissions.Administer);
        ProjectName = await db.Projects.AsNoTracking().Where(p => p.Key == Key).Select(p => p.Name).SingleAsync(cancellationToken);
        Trackers = await db.Trackers.AsNoTracking().Where(t => t.ProjectKey == Key).OrderBy(t => t.Key).ToListAsync(cancellationToken);
        try
        {
            if (ViewId is { } viewId && Filter is null)
            {
                var view = (await ViewsApi.GetView(Key, viewId, db, access, cancellationToken)).Value!;
                (TrackerKey, Filter) = (view.Tracker, view.Filter);
                Listing = (await ViewsApi.ListViewItems(Key, viewId, Sort, PageNumber, PageSize, db, access, clock, cancellationToken)).Value;
            }
            else
            {
                ViewId = null;
                if (!string.IsNullOrWhiteSpace(Filter))
                {
                    TrackerKey ??= Trackers.FirstOrDefault()?.Key;
                    if (TrackerKey is not null)
                    {
                        var check = (await ExpressionsApi.Check(new ExpressionCheckRequest { Expression = Filter, Tracker = TrackerKey, Expect = "condition" }, db, access, cancellationToken)).Value!;
                        FilterErrors = check.Errors ?? [];
                    }
                }
                if (FilterErrors.Count == 0)
                {
                    var tracker = string.IsNullOrWhiteSpace(TrackerKey) ? null : TrackerKey;
                    Listing = (await ViewsApi.ListItems(Key, tracker, string.IsNullOrWhiteSpace(Filter) ? null : Filter, Sort, PageNumber, PageSize, db, access, clock, cancellationToken)).Value;
                }
            }
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status422UnprocessableEntity)
        {
            Problem = refused.Message;
        }
        if (Listing is not null && SeesEscalations && Listing.Items.Count > 0)
        {
            var keys = Listing.Items.Select(i => i.Key).ToList();
            var ids = await db.Items.AsNoTracking().Where(i => keys.Contains(i.Key)).ToDictionaryAsync(i => i.Id, i => i.Key, cancellationToken);
            var dues = await EscalationClock.NextDueAsync(db, catalog, Key, ids.Keys, Now, cancellationToken);
            NextDue = dues.ToDictionary(d => ids[d.Key], d => d.Value);
        }
    }

    /// <summary>The address of this listing with some parameters changed (null removes one).</summary>
    public string Link(string? sort = null, int? page = null)
    {
        var query = new List<string>();
        void Add(string name, string? value) { if (!string.IsNullOrEmpty(value)) query.Add($"{name}={Uri.EscapeDataString(value)}"); }
        if (ViewId is not null) Add("view", ViewId.ToString());
        else
        {
            Add("tracker", TrackerKey);
            Add("filter", Filter);
        }
        Add("sort", sort ?? Sort);
        if ((page ?? 1) > 1) Add("page", page!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return $"/projects/{Key}" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    /// <summary>Sorting by a column: ascending first, descending when it is already ascending.</summary>
    public string SortLink(string field) => Link(sort: Sort == field ? "-" + field : field);

    public string SortMark(string field) => Sort == field ? " ▲" : Sort == "-" + field ? " ▼" : "";
}

/// <summary>The new-item form: tracker, summary, description, priority and severity.</summary>
public sealed class NewItemForm
{
    public string? Tracker { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public decimal? Priority { get; set; }
    public decimal? Severity { get; set; }
}
