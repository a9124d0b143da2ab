using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Web.Pages.Items;

/// <summary>One entry of the timeline: the schedule's entry with its instants read, its rule and calendar, and the working time left.</summary>
public sealed record TimelineEntry(ScheduleEntry Entry, Instant? Due, Instant? FiredAt, WorkingCalendar Calendar, string? RuleText, Duration? WorkingTimeLeft);

/// <summary>
/// The item's Escalations tab (needs "View Escalation Schedule", checked by the schedule API's handler, so a user
/// without it gets 403 here too): fired and pending escalations and reminders in time order, and "Add reminder".
/// </summary>
public sealed class EscalationsModel(KlaxonDbContext db, Access access, IClock clock, CalendarCatalog catalog, DispatchSignal signal) : PageModel
{
    [FromRoute]
    public string Key { get; set; } = "";

    public ItemAnswer Item { get; private set; } = null!;
    public List<TimelineEntry> Entries { get; } = [];
    public Instant Now { get; private set; }
    public DateTimeZone ProjectZone { get; private set; } = DateTimeZone.Utc;
    public string? Error { get; private set; }
    public string? Message { get; private set; }

    /// <summary>Whether the item's tracker has support-desk forms (the header's Support desk tab).</summary>
    public bool Support { get; private set; }

    [BindProperty]
    public ReminderForm Reminder { get; set; } = new();

    public async Task OnGetAsync(bool added, CancellationToken cancellationToken)
    {
        if (added) Message = "Reminder added.";
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostReminderAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        string? at = null;
        if (Reminder.At is not null && LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm").Parse(Reminder.At) is { Success: true } local)
        {
            var zone = Reminder.Zone == "utc" ? DateTimeZone.Utc : ProjectZone;
            at = IsoText.FormatInstant(local.Value.InZoneLeniently(zone).ToInstant());
        }
        try
        {
            await EscalationScheduleApi.AddReminder(Key, new ReminderRequest { At = at ?? Reminder.At, Note = Reminder.Note }, db, access, clock, signal, cancellationToken);
            return Redirect($"/items/{Key}/escalations?added=true");
        }
        catch (ProblemException refused) when (refused.Status == StatusCodes.Status400BadRequest)
        {
            Error = refused.Message;
            Response.StatusCode = refused.Status;
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetCurrentInstant();
        var schedule = (await EscalationScheduleApi.GetSchedule(Key, db, access, cancellationToken)).Value!;
        Item = (await ItemsApi.GetItem(Key, HttpContext, db, access, clock, cancellationToken)).Value!;
        Support = SupportForms.For(await new ItemChanges(db, clock).TrackerAsync(Item.Tracker, cancellationToken)).Any;
        var calendars = await EscalationClock.CalendarsAsync(db, catalog, Item.Project, cancellationToken);
        ProjectZone = calendars.Project.Zone;
        Entries.Clear();
        foreach (var entry in schedule)
        {
            var calendar = calendars.For(entry.Group, entry.Level);
            var due = Read(entry.Due);
            var rule = calendars.Rule(entry.Group, entry.Level);
            Duration? left = due is { } d && entry.Status == EscalationState.Pending ? EscalationClock.WorkingTimeLeft(calendar, Now, d) : null;
            Entries.Add(new TimelineEntry(entry, due, Read(entry.FiredAt), calendar, rule is null ? null : RuleCalendars.Describe(rule), left));
        }
    }

    private static Instant? Read(string? iso) => iso is not null && InstantPattern.ExtendedIso.Parse(iso) is { Success: true } parsed ? parsed.Value : null;
}

/// <summary>A reminder as the form sends it: a local date and time, the zone it is in, and a note.</summary>
public sealed class ReminderForm
{
    public string? At { get; set; }
    public string Zone { get; set; } = "calendar";
    public string? Note { get; set; }
}
