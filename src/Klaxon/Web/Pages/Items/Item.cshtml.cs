using Klaxon.Apis;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Web.Pages.Items;

/// <summary>An item: its fields, links, history and the transitions the user may run now (as the Items API answers them).</summary>
public sealed class ItemModel(KlaxonDbContext db, Access access, IClock clock, Rescheduler rescheduler) : PageModel
{
    [FromRoute]
    public string Key { get; set; } = "";

    public ItemAnswer Item { get; private set; } = null!;
    public List<HistoryAnswer> History { get; private set; } = [];
    public List<TransitionAnswer> Transitions { get; private set; } = [];
    public bool SeesEscalations { get; private set; }
    public bool MayEdit { get; private set; }
    public SupportForms Support { get; private set; } = null!;
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? done, string? linked, CancellationToken cancellationToken)
    {
        if (done is not null) Message = $"Ran “{done}”.";
        if (linked is not null) Message = $"Linked to {linked}.";
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostTransitionAsync(string transition, int version, CancellationToken cancellationToken)
    {
        try
        {
            await ItemsApi.RunTransition(Key, new RunTransitionRequest { Transition = transition, Version = version }, HttpContext, db, access, clock, rescheduler, cancellationToken);
            return Redirect($"/items/{Key}?done={Uri.EscapeDataString(transition)}");
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            Error = refused.Message;
            Response.StatusCode = refused.Status;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    public async Task<IActionResult> OnPostLinkAsync(string? type, string? target, CancellationToken cancellationToken)
    {
        try
        {
            await ItemsApi.CreateLink(Key, new CreateLinkRequest { Type = type?.Trim(), Item = target?.Trim() }, db, access, clock, cancellationToken);
            return Redirect($"/items/{Key}?linked={Uri.EscapeDataString(target?.Trim() ?? "")}");
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            Error = refused.Message;
            Response.StatusCode = refused.Status;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Item = (await ItemsApi.GetItem(Key, HttpContext, db, access, clock, cancellationToken)).Value!;
        History = (await ItemsApi.GetHistory(Key, db, access, clock, cancellationToken)).Value!;
        Transitions = (await ItemsApi.ListTransitions(Key, db, access, clock, cancellationToken)).Value!;
        var permissions = await access.PermissionsAsync(Item.Project, cancellationToken);
        SeesEscalations = permissions.Contains(Permissions.ViewEscalationSchedule);
        MayEdit = permissions.Contains(Permissions.EditItems);
        Support = SupportForms.For(await new ItemChanges(db, clock).TrackerAsync(Item.Tracker, cancellationToken));
    }
}

/// <summary>The heading and tabs shared by an item's pages; <paramref name="Support"/> when the tracker has support-desk forms (<see cref="SupportForms"/>).</summary>
public sealed record ItemHeader(ItemAnswer Item, bool SeesEscalations, string Tab, bool Support = false);
