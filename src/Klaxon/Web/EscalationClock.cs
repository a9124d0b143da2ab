using Klaxon.Core.Calendars;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Web;

/// <summary>An item's next due escalation: which rule, when, on which calendar, and the working time left until then (negative when overdue).</summary>
public sealed record NextDue(string Group, string Rule, Instant Due, WorkingCalendar Calendar, Duration WorkingTimeLeft)
{
    public bool Overdue => WorkingTimeLeft < Duration.Zero || (WorkingTimeLeft == Duration.Zero && Due <= Now);

    public required Instant Now { get; init; }
}

/// <summary>
/// The clocks the UI shows beside items: the next pending escalation of each item and the working time left on the
/// calendar of its rule (the rule's own, or the project's). Read from the escalation queue the rescheduler keeps.
/// </summary>
public static class EscalationClock
{
    public static async Task<Dictionary<long, NextDue>> NextDueAsync(
        KlaxonDbContext db, CalendarCatalog catalog, string projectKey, IReadOnlyCollection<long> itemIds, Instant now, CancellationToken cancellationToken)
    {
        var rows = await db.Escalations.AsNoTracking()
            .Where(e => itemIds.Contains(e.ItemId) && e.Kind == EscalationRow.EscalationKind && e.Due != null &&
                        (e.Status == EscalationState.Pending || e.Status == EscalationState.Claimed))
            .ToListAsync(cancellationToken);
        if (rows.Count == 0) return [];
        var calendars = await CalendarsAsync(db, catalog, projectKey, cancellationToken);
        var result = new Dictionary<long, NextDue>();
        foreach (var row in rows.GroupBy(r => r.ItemId).Select(g => g.OrderBy(r => r.Due).ThenBy(r => r.Rule).First()))
        {
            var calendar = calendars.For(row.GroupId, row.Rule);
            var due = Instant.FromUnixTimeMilliseconds(row.Due!.Value);
            result[row.ItemId] = new NextDue(calendars.GroupName(row.GroupId), row.RuleName, due, calendar, WorkingTimeLeft(calendar, now, due)) { Now = now };
        }
        return result;
    }

    /// <summary>Working time from <paramref name="now"/> to <paramref name="due"/> on the calendar; negative once it is past.</summary>
    public static Duration WorkingTimeLeft(WorkingCalendar calendar, Instant now, Instant due) => calendar.Between(now, due);

    /// <summary>The calendars of a project's rules, by group id and rule index.</summary>
    public static async Task<RuleCalendars> CalendarsAsync(KlaxonDbContext db, CalendarCatalog catalog, string projectKey, CancellationToken cancellationToken)
    {
        var projectCalendar = await db.Projects.AsNoTracking().Where(p => p.Key == projectKey).Select(p => p.CalendarId).SingleAsync(cancellationToken);
        var groups = await db.EscalationGroups.AsNoTracking().Where(g => g.ProjectKey == projectKey).ToListAsync(cancellationToken);
        return new RuleCalendars(catalog, catalog.Get(projectCalendar), groups.ToDictionary(g => g.Id, g => (g.Name, EscalationGroups.Document(g))));
    }
}

/// <summary>The calendar each rule of a project's groups counts working time on.</summary>
public sealed class RuleCalendars(CalendarCatalog catalog, WorkingCalendar project, Dictionary<long, (string Name, Core.Escalation.EscalationGroupDocument Document)> groups)
{
    public WorkingCalendar Project { get; } = project;

    public WorkingCalendar For(long? groupId, int rule)
    {
        if (groupId is { } id && groups.TryGetValue(id, out var group) && group.Document.Rules is { } rules && rule >= 0 && rule < rules.Count &&
            rules[rule].Calendar is { } calendarId && catalog.TryGet(calendarId, out var calendar))
            return calendar;
        return Project;
    }

    /// <summary>The calendar of a rule named by its group's name and level (as the schedule lists them).</summary>
    public WorkingCalendar For(string? groupName, int? level)
    {
        if (groupName is null || level is null) return Project;
        var match = groups.Where(g => g.Value.Name == groupName).Select(g => (long?)g.Key).FirstOrDefault();
        return For(match, level.Value - 1);
    }

    /// <summary>A rule as its group's document wrote it, by group name and level; null when it is not there any more.</summary>
    public Core.Escalation.EscalationRuleDocument? Rule(string? groupName, int? level)
    {
        var group = groups.Values.FirstOrDefault(g => g.Name == groupName);
        return level is { } l && group.Document?.Rules is { } rules && l >= 1 && l <= rules.Count ? rules[l - 1] : null;
    }

    /// <summary>"submittedAt + 4 working hours": when a rule falls due.</summary>
    public static string Describe(Core.Escalation.EscalationRuleDocument rule) =>
        $"{rule.Anchor} + {(string.IsNullOrWhiteSpace(rule.Limit) ? "0" : rule.Limit)} {(rule.Basis ?? "working").ToLowerInvariant()} {(rule.Unit ?? "hours").ToLowerInvariant()}";

    public string GroupName(long? groupId) => groupId is { } id && groups.TryGetValue(id, out var group) ? group.Name : "";
}
