using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NodaTime;
using NodaTime.TimeZones;

namespace Klaxon.Core.Calendars;

/// <summary>
/// The working intervals of one calendar over a window of local dates, as UTC ticks, with cumulative
/// working time, so that every question is a binary search: cost does not grow with the offset.
/// Immutable once built; a calendar replaces its index with a wider one when a question leaves the window.
/// </summary>
/// <remarks>
/// The position <c>P(t)</c> is the working time in <c>[window start, t)</c>. Answers are exact for
/// instants in <c>[CoverLow, CoverHigh]</c>; a margin of one day at each end keeps intervals of dates
/// outside the window (shifted by DST) from reaching into it.
/// </remarks>
internal sealed class IntervalIndex
{
    private readonly long[] starts;
    private readonly long[] ends;
    private readonly long[] cumulative; // cumulative[i] = working ticks before interval i; length n + 1
    private readonly int[] workDays; // DateOnly.DayNumber of each date with working time, ascending
    private readonly long[] workDayLastEnd; // the last working instant (ticks) of each of those dates

    private IntervalIndex(LocalDate first, LocalDate last, long coverLow, long coverHigh, long[] starts, long[] ends, long[] cumulative, int[] workDays, long[] workDayLastEnd)
    {
        FirstDate = first;
        LastDate = last;
        CoverLow = coverLow;
        CoverHigh = coverHigh;
        this.starts = starts;
        this.ends = ends;
        this.cumulative = cumulative;
        this.workDays = workDays;
        this.workDayLastEnd = workDayLastEnd;
        PositionLow = Position(coverLow);
        PositionHigh = Position(coverHigh);
    }

    public LocalDate FirstDate { get; }
    public LocalDate LastDate { get; }
    public long CoverLow { get; }
    public long CoverHigh { get; }
    public int Count => starts.Length;

    /// <summary>Bytes held by the arrays of this index.</summary>
    public long ApproximateBytes => (starts.Length * 3L + 1) * sizeof(long) + workDays.Length * (sizeof(int) + sizeof(long));

    /// <summary><c>P(CoverLow)</c> and <c>P(CoverHigh)</c>: the positions an exact answer must lie between.</summary>
    public long PositionLow { get; }
    public long PositionHigh { get; }

    public bool Covers(long ticks) => ticks >= CoverLow && ticks <= CoverHigh;

    public static long Map(DateTimeZone zone, LocalDate date, int secondOfDay)
    {
        var local = secondOfDay >= LocalSpan.SecondsPerDay
            ? date.PlusDays(1).AtMidnight()
            : date + LocalTime.FromSecondsSinceMidnight(secondOfDay);
        return zone.ResolveLocal(local, Resolvers.LenientResolver).ToInstant().ToUnixTimeTicks();
    }

    public static IntervalIndex Build(DayRules rules, DateTimeZone zone, LocalDate first, LocalDate last)
    {
        var raw = new List<(long Start, long End)>();
        var days = new List<int>();
        var dayEnds = new List<long>();
        // The loop stops at `last` before stepping on: the day after 9999-12-31 does not exist.
        for (var date = first; first <= last; date = date.PlusDays(1))
        {
            var hours = rules.Resolve(date).Hours;
            long lastEnd = long.MinValue;
            foreach (var span in hours.Spans)
            {
                var start = Map(zone, date, span.Start);
                var end = Map(zone, date, span.End);
                if (end <= start) continue; // swallowed by a DST gap
                raw.Add((start, end));
                lastEnd = Math.Max(lastEnd, end);
            }
            if (lastEnd != long.MinValue)
            {
                days.Add(date.ToDateOnly().DayNumber);
                dayEnds.Add(lastEnd);
            }
            if (date == last) break;
        }

        // Inside a DST gap the lenient mapping is not monotonic, so spans may arrive out of order or overlap.
        raw.Sort((a, b) => a.Start.CompareTo(b.Start));
        var s = new List<long>(raw.Count);
        var e = new List<long>(raw.Count);
        foreach (var (start, end) in raw)
        {
            if (s.Count > 0 && start <= e[^1])
            {
                e[^1] = Math.Max(e[^1], end);
                continue;
            }
            s.Add(start);
            e.Add(end);
        }
        var cumulative = new long[s.Count + 1];
        for (var i = 0; i < s.Count; i++) cumulative[i + 1] = cumulative[i] + (e[i] - s[i]);

        var coverLow = Map(zone, first.PlusDays(1), 0);
        var coverHigh = Map(zone, last, 0);
        return new IntervalIndex(first, last, coverLow, coverHigh, [.. s], [.. e], cumulative, [.. days], [.. dayEnds]);
    }

    /// <summary>The first interval whose end is after <paramref name="t"/> (Count if none).</summary>
    private int FirstEndingAfter(long t)
    {
        return UpperBound(ends, t);
    }

    /// <summary>Working ticks in <c>[window start, t)</c>.</summary>
    public long Position(long t)
    {
        var i = FirstEndingAfter(t);
        if (i == starts.Length) return cumulative[i];
        return cumulative[i] + Math.Max(0, t - starts[i]);
    }

    public long Total => cumulative[^1];

    /// <summary>The earliest instant whose position is <paramref name="target"/> (0 &lt; target &lt;= Total).</summary>
    public long EarliestAt(long target)
    {
        // The first k with cumulative[k] >= target; the answer lies in interval k - 1.
        var j = LowerBound(cumulative, target) - 1;
        return starts[j] + (target - cumulative[j]);
    }

    /// <summary>The latest instant whose position is <paramref name="target"/> (0 &lt;= target &lt; Total).</summary>
    public long LatestAt(long target)
    {
        var j = UpperBound(cumulative, target) - 1;
        return starts[j] + (target - cumulative[j]);
    }

    public bool IsWorking(long t)
    {
        var i = FirstEndingAfter(t);
        return i < starts.Length && starts[i] <= t;
    }

    /// <summary>The first working instant at or after <paramref name="t"/>, or null if none in the window.</summary>
    public long? NextWorking(long t)
    {
        var i = FirstEndingAfter(t);
        return i < starts.Length ? Math.Max(t, starts[i]) : null;
    }

    public void CollectIntervals(long from, long to, List<Interval> into)
    {
        for (var i = FirstEndingAfter(from); i < starts.Length && starts[i] < to; i++)
            into.Add(new Interval(Instant.FromUnixTimeTicks(Math.Max(starts[i], from)), Instant.FromUnixTimeTicks(Math.Min(ends[i], to))));
    }

    /// <summary>Number of working dates in the window.</summary>
    public int WorkDayCount => workDays.Length;

    /// <summary>Index of the first working date after <paramref name="dayNumber"/> (upper bound).</summary>
    public int WorkDaysUpTo(int dayNumber)
    {
        var i = Array.BinarySearch(workDays, dayNumber);
        return i >= 0 ? i + 1 : ~i;
    }

    /// <summary>Index of the first working date at or after <paramref name="dayNumber"/> (lower bound).</summary>
    public int WorkDaysBefore(int dayNumber)
    {
        var i = Array.BinarySearch(workDays, dayNumber);
        return i >= 0 ? i : ~i;
    }

    public (LocalDate Date, long LastEnd) WorkDay(int i) => (LocalDate.FromDateOnly(DateOnly.FromDayNumber(workDays[i])), workDayLastEnd[i]);

    /// <summary>The number of elements of the ascending <paramref name="values"/> that are &lt;= <paramref name="value"/>.</summary>
    private static int UpperBound(long[] values, long value)
    {
        int low = 0, high = values.Length;
        ref var first = ref MemoryMarshal.GetArrayDataReference(values);
        while (low < high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (Unsafe.Add(ref first, mid) <= value) low = mid + 1; else high = mid;
        }
        return low;
    }

    /// <summary>The number of elements of the ascending <paramref name="values"/> that are &lt; <paramref name="value"/>.</summary>
    private static int LowerBound(long[] values, long value)
    {
        int low = 0, high = values.Length;
        ref var first = ref MemoryMarshal.GetArrayDataReference(values);
        while (low < high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (Unsafe.Add(ref first, mid) < value) low = mid + 1; else high = mid;
        }
        return low;
    }
}
