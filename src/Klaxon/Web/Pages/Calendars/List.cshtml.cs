using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Klaxon.Web.Pages.Calendars;

/// <summary>All calendars (any signed-in user may read them, as with the API).</summary>
public sealed class ListModel(KlaxonDbContext db) : PageModel
{
    public List<CalendarDocument> Calendars { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Calendars = (await CalendarsApi.ListCalendars(db, cancellationToken)).Value!;
}
