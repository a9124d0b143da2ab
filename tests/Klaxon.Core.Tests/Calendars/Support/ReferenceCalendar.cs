using Klaxon.Core.Calendars;
using NodaTime;
using NodaTime.TimeZones;

namespace Klaxon.Core.Tests.Calendars.Support;

/// <summary>
/// A deliberately naive working calendar, written without IntervalIndex or WorkingCalendar, to compare the
/// fast implementation with: it resolves every date of a fixed window from the definitions, maps each
/// local span to instants with the lenient resolver, sorts and merges the spans, and answers by walking them.
/// Answers that would need dates outside the window are <c>null</c> ("don't know").
/// </summary>
internal sealed class ReferenceCalendar
{
    private readonly List<(long Start, long End)> intervals = [];
    private readonly Dictionary<LocalDate, long> lastEndOfWorkingDate = [];

    public ReferenceCalendar(IReadOnlyList<CalendarDefinition> chain, DateTimeZone zone, LocalDate first, LocalDate last)
    {
        Chain = chain;
        Zone = zone;
        First = first;
        Last = last;

        var raw = new List<(long Start, long End)>();
        for (var date = first; date <= last; date = date.PlusDays(1))
        {
            foreach (var span in ResolveDay(chain, date).Hours.Spans)
            {
                var start = ToTicks(date, span.Start);
                var end = ToTicks(date, span.End);
                if (end <= start) continue; // a span the DST gap turned around has no working time
                raw.Add((start, end));
                lastEndOfWorkingDate[date] = Math.Max(lastEndOfWorkingDate.GetValueOrDefault(date, long.MinValue), end);
            }
        }
        foreach (var span in raw.OrderBy(s => s.Start))
        {
            if (intervals.Count > 0 && span.Start <= intervals[^1].End)
                intervals[^1] = (intervals[^1].Start, Math.Max(intervals[^1].End, span.End));
            else
                intervals.Add(span);
        }
        Low = ToTicks(first.PlusDays(2), 0);
        High = ToTicks(last.PlusDays(-1), 0);
    }

    public IReadOnlyList<CalendarDefinition> Chain { get; }
    public DateTimeZone Zone { get; }
    public LocalDate First { get; }
    public LocalDate Last { get; }

    /// <summary>Answers are trusted for instants in <c>[Low, High]</c>.</summary>
    public long Low { get; }
    public long High { get; }

    /// <summary>The merged working intervals of the window, as UTC ticks.</summary>
    public IReadOnlyList<(long Start, long End)> Intervals => intervals;

    /// <summary>
    /// The hours of a date by the rules of DESIGN.md, folded from the lowest precedence to the highest:
    /// the weekly winner first, then each level's yearly and exact special days from the root down to the calendar itself.
    /// </summary>
    public static (DayHours Hours, DayRule Rule, string? CalendarId, string? Name) ResolveDay(IReadOnlyList<CalendarDefinition> chain, LocalDate date)
    {
        (WeeklyHoursEntry Entry, int Depth, string Id)? best = null;
        for (var depth = 0; depth < chain.Count; depth++)
        {
            foreach (var entry in chain[depth].WeeklyHours)
            {
                if (entry.Weekday != date.DayOfWeek) continue;
                if (entry.ValidFrom is { } from && date < from) continue;
                if (entry.ValidUntil is { } until && date > until) continue;
                var key = entry.ValidFrom ?? LocalDate.MinIsoValue;
                if (best is not { } b || key > (b.Entry.ValidFrom ?? LocalDate.MinIsoValue) || (key == (b.Entry.ValidFrom ?? LocalDate.MinIsoValue) && depth < b.Depth))
                    best = (entry, depth, chain[depth].Id);
            }
        }
        (DayHours Hours, DayRule Rule, string? CalendarId, string? Name) result = best is { } w ? (w.Entry.Hours, DayRule.Weekly, w.Id, null) : (DayHours.None, DayRule.Weekly, null, null);

        for (var depth = chain.Count - 1; depth >= 0; depth--)
        {
            foreach (var exactPass in new[] { false, true })
            {
                var match = chain[depth].SpecialDays.FirstOrDefault(s => exactPass ? s.Date == date : s.Date is null && MatchesYearly(s, date));
                if (match is null) continue;
                var id = chain[depth].Id;
                result = match.Kind switch
                {
                    SpecialDayKind.Holiday => (DayHours.None, DayRule.Holiday, id, match.Name),
                    SpecialDayKind.Workday => (match.Hours, DayRule.Workday, id, match.Name),
                    _ => (result.Hours.IsWorking ? match.Hours : DayHours.None, DayRule.Shortened, id, match.Name),
                };
            }
        }
        return result;
    }

    private static bool MatchesYearly(SpecialDay s, LocalDate date) =>
        s.Yearly is { } y && y.Month == date.Month && y.Day == date.Day &&
        (s.FromYear is not { } from || date.Year >= from) && (s.UntilYear is not { } until || date.Year <= until);

    private long ToTicks(LocalDate date, int secondOfDay)
    {
        var local = date.AtMidnight().PlusSeconds(secondOfDay); // 86,400 s is the next midnight
        return Zone.ResolveLocal(local, Resolvers.LenientResolver).ToInstant().ToUnixTimeTicks();
    }

    private bool Trusted(long t) => t >= Low && t <= High;

    /// <summary>Index of the first interval that ends after <paramref name="t"/>.</summary>
    private int FirstEndingAfter(long t)
    {
        int lo = 0, hi = intervals.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (intervals[mid].End > t) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>Index of the first interval that starts at or after <paramref name="t"/>.</summary>
    private int FirstStartingAtOrAfter(long t)
    {
        int lo = 0, hi = intervals.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (intervals[mid].Start >= t) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    public bool? IsWorking(long t)
    {
        if (!Trusted(t)) return null;
        var i = FirstEndingAfter(t);
        return i < intervals.Count && intervals[i].Start <= t;
    }

    public long? NextWorkingInstant(long t)
    {
        if (!Trusted(t)) return null;
        var i = FirstEndingAfter(t);
        if (i == intervals.Count) return null;
        var next = Math.Max(intervals[i].Start, t);
        return next <= High ? next : null;
    }

    /// <summary>Walks the intervals from <paramref name="t"/>, forwards or backwards, until the duration is used up.</summary>
    public long? Add(long t, long d)
    {
        if (!Trusted(t)) return null;
        if (d == 0) return t;
        if (d > 0)
        {
            var remaining = d;
            for (var i = FirstEndingAfter(t); i < intervals.Count; i++)
            {
                var from = Math.Max(intervals[i].Start, t);
                if (from > High) return null;
                var available = intervals[i].End - from;
                if (available >= remaining) return from + remaining <= High ? from + remaining : null;
                remaining -= available;
            }
            return null;
        }
        else
        {
            var remaining = -d;
            for (var i = FirstStartingAtOrAfter(t) - 1; i >= 0; i--)
            {
                var to = Math.Min(intervals[i].End, t);
                if (to < Low) return null;
                var available = to - intervals[i].Start;
                if (available >= remaining) return to - remaining >= Low ? to - remaining : null;
                remaining -= available;
            }
            return null;
        }
    }

    public long? Between(long a, long b)
    {
        if (!Trusted(a) || !Trusted(b)) return null;
        var (from, to, sign) = a <= b ? (a, b, 1) : (b, a, -1);
        long sum = 0;
        for (var i = FirstEndingAfter(from); i < intervals.Count && intervals[i].Start < to; i++)
            sum += Math.Min(intervals[i].End, to) - Math.Max(intervals[i].Start, from);
        return sign * sum;
    }

    public List<(long Start, long End)>? WorkingIntervals(long a, long b)
    {
        if (!Trusted(a) || !Trusted(b)) return null;
        var result = new List<(long, long)>();
        if (b <= a) return result;
        for (var i = FirstEndingAfter(a); i < intervals.Count && intervals[i].Start < b; i++)
            result.Add((Math.Max(intervals[i].Start, a), Math.Min(intervals[i].End, b)));
        return result;
    }

    /// <summary>Counts working dates one by one from the local date of <paramref name="t"/>.</summary>
    public long? AddWorkingDays(long t, int days)
    {
        if (!Trusted(t)) return null;
        if (days == 0) return t;
        var local = Instant.FromUnixTimeTicks(t).InZone(Zone).LocalDateTime;
        var step = Math.Sign(days);
        var date = local.Date;
        for (var found = 0; found < Math.Abs(days);)
        {
            date = date.PlusDays(step);
            if (date <= First || date >= Last) return null;
            if (lastEndOfWorkingDate.ContainsKey(date)) found++;
        }
        var candidate = Zone.ResolveLocal(date + local.TimeOfDay, Resolvers.LenientResolver).ToInstant().ToUnixTimeTicks();
        return Math.Min(candidate, lastEndOfWorkingDate[date]);
    }
}
