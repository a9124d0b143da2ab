using NodaTime;

namespace Klaxon.Core.Calendars;

/// <summary>Which rule gave a date its hours.</summary>
public enum DayRule
{
    /// <summary>The weekly hours (or no weekly entry covers the date: no work).</summary>
    Weekly,
    Holiday,
    Shortened,
    Workday,
}

/// <summary>
/// The local working hours of one date and where they come from: the rule and the calendar in the chain
/// that holds it (<c>null</c> when no entry covers the date), so a UI can mark inherited entries.
/// </summary>
public sealed record ResolvedDay(LocalDate Date, DayHours Hours, DayRule Rule, string? CalendarId, string? Name);

/// <summary>
/// The precedence rules of DESIGN.md over a chain of definitions (nearest first): own exact date &gt;
/// own yearly &gt; parent's exact &gt; parent's yearly &gt; … &gt; weekly hours, where the weekly entries of the
/// whole chain compete by latest <c>ValidFrom</c> and, on a tie, the nearer calendar wins.
/// </summary>
internal sealed class DayRules
{
    private readonly (string CalendarId, SpecialDay[] Exact, SpecialDay[] Yearly)[] levels;
    private readonly (WeeklyHoursEntry Entry, string CalendarId)[][] weeklyByDay = new (WeeklyHoursEntry, string)[8][];

    public DayRules(IReadOnlyList<CalendarDefinition> chain)
    {
        levels = [.. chain.Select(c => (c.Id, c.SpecialDays.Where(s => s.IsExact).ToArray(), c.SpecialDays.Where(s => !s.IsExact).ToArray()))];
        for (var day = 1; day <= 7; day++)
        {
            weeklyByDay[day] = [.. chain
                .SelectMany((c, depth) => c.WeeklyHours.Where(w => (int)w.Weekday == day).Select(w => (Entry: w, Depth: depth, c.Id)))
                .OrderByDescending(x => x.Entry.ValidFrom ?? LocalDate.MinIsoValue)
                .ThenBy(x => x.Depth)
                .Select(x => (x.Entry, x.Id))];
        }
    }

    public ResolvedDay Resolve(LocalDate date) => ResolveFrom(date, 0);

    // Special days at precedence position >= start (two positions per level: exact, then yearly).
    private ResolvedDay ResolveFrom(LocalDate date, int start)
    {
        for (var position = start; position < levels.Length * 2; position++)
        {
            var (calendarId, exact, yearly) = levels[position / 2];
            var entries = position % 2 == 0 ? exact : yearly;
            foreach (var special in entries)
            {
                if (!special.Matches(date)) continue;
                switch (special.Kind)
                {
                    case SpecialDayKind.Holiday:
                        return new ResolvedDay(date, DayHours.None, DayRule.Holiday, calendarId, special.Name);
                    case SpecialDayKind.Workday:
                        return new ResolvedDay(date, special.Hours, DayRule.Workday, calendarId, special.Name);
                    default:
                        var otherwise = ResolveFrom(date, position + 1);
                        return new ResolvedDay(date, otherwise.Hours.IsWorking ? special.Hours : DayHours.None, DayRule.Shortened, calendarId, special.Name);
                }
            }
        }
        foreach (var (entry, calendarId) in weeklyByDay[(int)date.DayOfWeek])
        {
            if (entry.Covers(date)) return new ResolvedDay(date, entry.Hours, DayRule.Weekly, calendarId, null);
        }
        return new ResolvedDay(date, DayHours.None, DayRule.Weekly, null, null);
    }
}
