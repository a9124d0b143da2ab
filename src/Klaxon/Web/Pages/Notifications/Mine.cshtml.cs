using Klaxon.Apis;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace Klaxon.Web.Pages.Notifications;

/// <summary>The signed-in user's own notifications (as GET /api/v1/me/notifications lists them), newest first; marking read.</summary>
public sealed class MineModel(KlaxonDbContext db, Access access, IClock clock) : PageModel
{
    [FromQuery(Name = "unread")]
    public bool Unread { get; set; }

    public List<InboxEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Entries = (await NotificationsApi.ListMine(Unread ? true : null, 200, db, access, cancellationToken)).Value!;

    public async Task<IActionResult> OnPostReadAsync(long id, CancellationToken cancellationToken)
    {
        await NotificationsApi.MarkRead(id, db, access, clock, cancellationToken);
        return Redirect("/notifications" + (Unread ? "?unread=true" : ""));
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken cancellationToken)
    {
        await NotificationsApi.MarkAllRead(db, access, clock, cancellationToken);
        return Redirect("/notifications");
    }
}
