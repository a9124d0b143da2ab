using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Web.Pages.Groups;

/// <summary>
/// The escalation group editor: predicate (a public view or an expression checked as it is typed), rules with
/// anchor, limit, unit, basis, calendar and actions, a preview of what the group would do over the next 7 days,
/// and saving through the groups API's handlers (project administrators only, with the same checks).
/// </summary>
public sealed class EditModel(KlaxonDbContext db, Access access, CalendarCatalog catalog, IClock clock, Rescheduler rescheduler) : PageModel
{
    /// <summary>Messages to one recipient in 7 days above which the preview warns.</summary>
    public const int ManyMessages = 20;

    [FromRoute]
    public string Key { get; set; } = "";

    /// <summary>A group's id, or "new".</summary>
    [FromRoute]
    public string Id { get; set; } = "";

    [BindProperty]
    public GroupForm Form { get; set; } = new();

    public long? GroupId => long.TryParse(Id, out var id) ? id : null;
    public GroupOptions Options { get; private set; } = null!;
    public EscalationPreviewAnswer? Preview { get; private set; }
    public List<string> Errors { get; } = [];
    public bool MayAdminister { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (GroupId is { } id)
            Form = GroupForm.From((await EscalationGroupsApi.GetGroup(Key, id, db, access, cancellationToken)).Value!.Group);
        else
        {
            await access.RequireAsync(Key, Permissions.ViewEscalationSchedule, cancellationToken);
            Form = new GroupForm { Rules = [new RuleForm { Anchor = "submittedAt", Limit = "4" }] };
        }
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        try
        {
            Preview = (await EscalationGroupsApi.PreviewGroup(Key, GroupId, Form.ToDocument(), db, access, catalog, clock, cancellationToken)).Value;
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest)
        {
            Refused(refused);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var document = Form.ToDocument();
            var saved = GroupId is { } id
                ? (await EscalationGroupsApi.ReplaceGroup(Key, id, document, db, access, catalog, rescheduler, clock, cancellationToken)).Value!
                : (await EscalationGroupsApi.CreateGroup(Key, document, db, access, catalog, rescheduler, clock, cancellationToken)).Value!;
            return Redirect($"/projects/{Key}/escalation-groups?saved={saved.Id}");
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status403Forbidden)
        {
            Refused(refused);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private void Refused(ProblemException refused)
    {
        Errors.AddRange(refused.Errors.Count > 0 ? refused.Errors.Select(e => e.ToString()) : [refused.Message]);
        Response.StatusCode = refused.Status;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        MayAdminister = (await access.PermissionsAsync(Key, cancellationToken)).Contains(Permissions.Administer);
        var trackers = (await db.Trackers.AsNoTracking().Where(t => t.ProjectKey == Key).OrderBy(t => t.Key).ToListAsync(cancellationToken)).Select(TrackerStorage.Read).ToList();
        Form.Tracker ??= trackers.FirstOrDefault()?.Key;
        var tracker = trackers.FirstOrDefault(t => t.Key == Form.Tracker);
        var roles = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == Key).OrderBy(r => r.Name).Select(r => r.Name).ToListAsync(cancellationToken);
        var views = (await ViewsApi.ListViews(Key, null, db, access, cancellationToken)).Value!.Where(v => v.Public).ToList();
        Options = new GroupOptions(
            [.. trackers.Select(t => t.Key)],
            [.. (tracker?.DateFields ?? []), Core.Escalation.EscalationRule.AfterLastEscalation],
            [.. (tracker?.Workflow.Transitions.Select(t => t.Name).Distinct() ?? [])],
            roles,
            [.. catalog.Definitions.Select(d => d.Id)],
            views);
    }
}
