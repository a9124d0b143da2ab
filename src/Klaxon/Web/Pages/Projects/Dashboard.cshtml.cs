using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Web.Pages.Projects;

/// <summary>
/// A project at a glance: open items by severity (open = not in the last status of its tracker's workflow), and,
/// for users who may view escalation schedules, escalations fired per day over the last 30 days (in the project
/// calendar's zone), the share of them that fired on time (not late), and the escalations due in the next 24 hours.
/// </summary>
public sealed class DashboardModel(KlaxonDbContext db, Access access, IClock clock, CalendarCatalog catalog) : PageModel
{
    [FromRoute]
    public string Key { get; set; } = "";

    public ProjectAnswer Project { get; private set; } = null!;
    public bool SeesEscalations { get; private set; }
    public Instant Now { get; private set; }
    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;
    public List<Bar> OpenBySeverity { get; } = [];
    public int OpenItems { get; private set; }
    public List<Bar> FiredPerDay { get; } = [];
    public int FiredOnTime { get; private set; }
    public int Fired { get; private set; }
    public List<Bar> DueNext24Hours { get; } = [];
    public int Overdue { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Project = (await ProjectsApi.GetProject(Key, db, access, cancellationToken)).Value!;
        SeesEscalations = (await access.PermissionsAsync(Key, cancellationToken)).Contains(Permissions.ViewEscalationSchedule);
        Now = clock.GetCurrentInstant();
        Zone = catalog.Get(Project.Calendar).Zone;

        var finalStatus = (await db.Trackers.AsNoTracking().Where(t => t.ProjectKey == Key).ToListAsync(cancellationToken))
            .Select(TrackerStorage.Read).ToDictionary(t => t.Key, t => t.Workflow.Statuses.Count > 0 ? t.Workflow.Statuses[^1] : null);
        var items = await db.Items.AsNoTracking().Where(i => i.ProjectKey == Key).Select(i => new { i.TrackerKey, i.Status, i.Severity }).ToListAsync(cancellationToken);
        var open = items.Where(i => finalStatus.GetValueOrDefault(i.TrackerKey) != i.Status).ToList();
        OpenItems = open.Count;
        foreach (var severity in new int?[] { 1, 2, 3, null })
            OpenBySeverity.Add(new Bar(severity is { } s ? $"Severity {s}" : "None", open.Count(i => i.Severity == severity), severity is { } c ? $"s{c}" : null));

        if (!SeesEscalations) return;
        var today = Now.InZone(Zone).Date;
        var since = today.PlusDays(-29).AtStartOfDayInZone(Zone).ToInstant().ToUnixTimeMilliseconds();
        var projectItems = db.Items.Where(i => i.ProjectKey == Key).Select(i => i.Id);
        var fired = await db.Escalations.AsNoTracking()
            .Where(e => e.Kind == EscalationRow.EscalationKind && e.Status == EscalationState.Fired && e.FiredAt >= since && projectItems.Contains(e.ItemId))
            .Select(e => new { e.FiredAt, e.Late })
            .ToListAsync(cancellationToken);
        var perDay = fired.GroupBy(e => Instant.FromUnixTimeMilliseconds(e.FiredAt!.Value).InZone(Zone).Date).ToDictionary(g => g.Key, g => g.Count());
        var dayLabel = LocalDatePattern.CreateWithInvariantCulture("d MMM");
        for (var d = today.PlusDays(-29); d <= today; d = d.PlusDays(1))
            FiredPerDay.Add(new Bar(dayLabel.Format(d), perDay.GetValueOrDefault(d), Tooltip: LocalDatePattern.Iso.Format(d)));
        Fired = fired.Count;
        FiredOnTime = fired.Count(e => !e.Late);

        var nowMs = Now.ToUnixTimeMilliseconds();
        var horizon = (Now + Duration.FromHours(24)).ToUnixTimeMilliseconds();
        var pending = await db.Escalations.AsNoTracking()
            .Where(e => e.Kind == EscalationRow.EscalationKind && (e.Status == EscalationState.Pending || e.Status == EscalationState.Claimed) &&
                        e.Due != null && e.Due < horizon && projectItems.Contains(e.ItemId))
            .Select(e => e.Due!.Value)
            .ToListAsync(cancellationToken);
        Overdue = pending.Count(d => d < nowMs);
        var hourLabel = LocalTimePattern.CreateWithInvariantCulture("HH");
        var firstHour = Now.InZone(Zone).LocalDateTime;
        for (var h = 0; h < 24; h++)
        {
            long start = nowMs + h * 3_600_000L, end = start + 3_600_000L;
            var local = firstHour.PlusHours(h);
            DueNext24Hours.Add(new Bar(hourLabel.Format(local.TimeOfDay), pending.Count(d => d >= start && d < end), Tooltip: $"{LocalDateTimePattern.ExtendedIso.Format(local)[..16]} to the next hour"));
        }
    }
}
