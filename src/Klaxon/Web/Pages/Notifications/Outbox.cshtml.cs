using Klaxon.Apis;
using Klaxon.Core.Tracking;
using Klaxon.Delivery;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace Klaxon.Web.Pages.Notifications;

/// <summary>
/// A project's outbox (needs "View Escalation Schedule", as GET /api/v1/notifications?project= does): every message
/// with its channel, recipient, status, attempts and last error; project administrators retry dead ones.
/// </summary>
public sealed class OutboxModel(KlaxonDbContext db, Access access, IClock clock, OutboxSignal signal) : PageModel
{
    [FromRoute]
    public string Key { get; set; } = "";

    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    public List<NotificationAnswer> Messages { get; private set; } = [];
    public bool MayRetry { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(long? retried, CancellationToken cancellationToken)
    {
        if (retried is not null) Message = $"Notification {retried} is queued again.";
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            await NotificationsApi.Retry(id, db, access, clock, signal, cancellationToken);
            return Redirect($"/projects/{Key}/notifications?retried={id}");
        }
        catch (ProblemException refused) when (refused.Status == StatusCodes.Status409Conflict)
        {
            Error = refused.Message;
            Response.StatusCode = refused.Status;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Messages = (await NotificationsApi.ListNotifications(null, Key, string.IsNullOrEmpty(Status) ? null : Status, 500, db, access, cancellationToken)).Value!;
        MayRetry = (await access.PermissionsAsync(Key, cancellationToken)).Contains(Permissions.Administer);
    }

    public static IReadOnlyList<string> States => [.. MessageState.All];
}
