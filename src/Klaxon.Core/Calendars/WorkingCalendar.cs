using NodaTime;
using NodaTime.TimeZones;

namespace Klaxon.Core.Calendars;

/// <summary>
/// A resolved working-time calendar: its whole parent chain applied, in its time zone, with exact
/// working-time arithmetic. Instants are handled at tick (100 ns) precision. Thread-safe; answers come
/// from an interval index built on first use and widened when a question leaves it.
/// </summary>
/// <remarks>
/// Local spans map to instants as NodaTime's lenient resolver does: a boundary inside a DST gap moves
/// forward by the gap's length, an ambiguous boundary takes the earlier occurrence. Working time is real
/// elapsed time.
/// </remarks>
public sealed class WorkingCalendar
{
    private const int InitialYearsBefore = 2;
    private const int InitialYearsAfter = 8;
    private const int NeverWorksYears = 10;

    /// <summary>The most working days <see cref="AddWorkingDays"/> counts in one question (about 400 years of weekdays).</summary>
    public const int MaxWorkingDays = 100_000;
    private static readonly LocalDate MinDate = new(1, 1, 1);
    private static readonly LocalDate MaxDate = new(9999, 12, 31);

    /// <summary>The instants questions may be asked about: the years 0010 to 9900, leaving room for the index around them.</summary>
    public static Interval SupportedRange { get; } = new(Instant.FromUtc(10, 1, 1, 0, 0), Instant.FromUtc(9900, 1, 1, 0, 0));

    private readonly DayRules rules;
    private readonly Lock gate = new();
    private volatile IntervalIndex? index;
    private int builds;

    internal WorkingCalendar(string id, DateTimeZone zone, IReadOnlyList<CalendarDefinition> chain)
    {
        Id = id;
        Zone = zone;
        Chain = chain;
        rules = new DayRules(chain);
    }

    /// <summary>Builds a calendar from its chain of definitions, nearest first (no catalog needed).</summary>
    public static WorkingCalendar FromChain(IReadOnlyList<CalendarDefinition> chain)
    {
        if (chain.Count == 0) throw new ArgumentException("A calendar needs at least its own definition.", nameof(chain));
        var zoneId = chain.Select(c => c.TimeZone).FirstOrDefault(z => z is not null)
            ?? throw new ArgumentException($"No calendar in the chain of '{chain[0].Id}' names a time zone.", nameof(chain));
        return new WorkingCalendar(chain[0].Id, DateTimeZoneProviders.Tzdb[zoneId], chain);
    }

    /// <summary>Builds a calendar from its chain of definitions with an explicit zone (for tests with synthetic zones).</summary>
    public static WorkingCalendar FromChain(IReadOnlyList<CalendarDefinition> chain, DateTimeZone zone) => new(chain[0].Id, zone, chain);

    public string Id { get; }

    /// <summary>The calendar's own zone or the nearest ancestor's.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>The definitions this calendar is made of, itself first, then its parent, up to the root.</summary>
    public IReadOnlyList<CalendarDefinition> Chain { get; }

    /// <summary>How many times an interval index has been built for this calendar (for tests and diagnostics).</summary>
    public int IndexBuilds => Volatile.Read(ref builds);

    /// <summary>Bytes held by the current index (0 before first use).</summary>
    public long IndexBytes => index?.ApproximateBytes ?? 0;

    /// <summary>The local hours of a date and the rule that gave them.</summary>
    public ResolvedDay Day(LocalDate date) => rules.Resolve(date);

    /// <summary>
    /// The instant at which <paramref name="duration"/> of working time has elapsed since <paramref name="start"/>;
    /// for a negative duration, the latest instant from which that much working time leads up to <paramref name="start"/>.
    /// <c>Add(t, 0) = t</c>. A sum ending exactly at an interval's end returns that end (Friday 16:00 + 1 h =
    /// Friday 17:00); symmetrically, going back to exactly an interval's start returns that start.
    /// </summary>
    /// <exception cref="CalendarNeverWorksException">The calendar has no working time for 10 years in that direction.</exception>
    public Instant Add(Instant start, Duration duration)
    {
        var d = duration.BclCompatibleTicks;
        if (d == 0) return start;
        var t = start.ToUnixTimeTicks();
        var idx = IndexCovering(t, t);
        if (d > 0)
        {
            while (true)
            {
                var target = idx.Position(t) + d;
                if (target <= idx.PositionHigh) return Instant.FromUnixTimeTicks(idx.EarliestAt(target));
                idx = Widen(idx, forward: true);
            }
        }
        while (true)
        {
            var target = idx.Position(t) + d;
            if (target >= idx.PositionLow) return Instant.FromUnixTimeTicks(idx.LatestAt(target));
            idx = Widen(idx, forward: false);
        }
    }

    /// <summary>Working time in <c>[from, to)</c>; negative when <paramref name="to"/> is before <paramref name="from"/>.</summary>
    public Duration Between(Instant from, Instant to)
    {
        var a = from.ToUnixTimeTicks();
        var b = to.ToUnixTimeTicks();
        var idx = IndexCovering(Math.Min(a, b), Math.Max(a, b));
        return Duration.FromTicks(idx.Position(b) - idx.Position(a));
    }

    /// <summary>Whether <paramref name="t"/> lies inside a working interval (start inclusive, end exclusive).</summary>
    public bool IsWorking(Instant t)
    {
        var ticks = t.ToUnixTimeTicks();
        return IndexCovering(ticks, ticks).IsWorking(ticks);
    }

    /// <summary><paramref name="t"/> if it is working time, otherwise the start of the next working interval.</summary>
    /// <exception cref="CalendarNeverWorksException">No working time for 10 years after <paramref name="t"/>.</exception>
    public Instant NextWorkingInstant(Instant t)
    {
        var ticks = t.ToUnixTimeTicks();
        var idx = IndexCovering(ticks, ticks);
        while (true)
        {
            if (idx.NextWorking(ticks) is { } next && next <= idx.CoverHigh) return next == ticks ? t : Instant.FromUnixTimeTicks(next);
            idx = Widen(idx, forward: true);
        }
    }

    /// <summary>The working intervals intersected with <c>[from, to)</c>, in order; adjacent spans are merged.</summary>
    public IReadOnlyList<Interval> WorkingIntervals(Instant from, Instant to)
    {
        var result = new List<Interval>();
        if (to <= from) return result;
        var a = from.ToUnixTimeTicks();
        var b = to.ToUnixTimeTicks();
        IndexCovering(a, b).CollectIntervals(a, b, result);
        return result;
    }

    /// <summary>
    /// The same local time of day on the <paramref name="days"/>-th following working date (a date with any
    /// working time), or preceding one for a negative count; clamped to that date's last working instant
    /// when the time of day is past its hours. <c>AddWorkingDays(t, 0) = t</c>.
    /// </summary>
    public Instant AddWorkingDays(Instant start, int days)
    {
        if (days == 0) return start;
        if (Math.Abs((long)days) > MaxWorkingDays)
            throw new ArgumentOutOfRangeException(nameof(days), $"{days} working days is more than the {MaxWorkingDays} a question may span.");
        var ticks = start.ToUnixTimeTicks();
        var local = start.InZone(Zone).LocalDateTime;
        var dayNumber = local.Date.ToDateOnly().DayNumber;
        var idx = IndexCovering(ticks, ticks);
        while (true)
        {
            var i = days > 0 ? idx.WorkDaysUpTo(dayNumber) + days - 1 : idx.WorkDaysBefore(dayNumber) + days;
            if (i >= 0 && i < idx.WorkDayCount)
            {
                var (date, lastEnd) = idx.WorkDay(i);
                var candidate = Zone.ResolveLocal(date + local.TimeOfDay, Resolvers.LenientResolver).ToInstant();
                return candidate.ToUnixTimeTicks() > lastEnd ? Instant.FromUnixTimeTicks(lastEnd) : candidate;
            }
            idx = Widen(idx, forward: days > 0);
        }
    }

    private IntervalIndex IndexCovering(long low, long high)
    {
        var current = index;
        if (current is not null && current.Covers(low) && current.Covers(high)) return current;
        return Cover(low, high);
    }

    private IntervalIndex Cover(long low, long high)
    {
        IntervalIndex? current;
        {
            current = index;
            if (current is not null && current.Covers(low) && current.Covers(high)) return current;
            var lowDate = Instant.FromUnixTimeTicks(low).InZone(Zone).Date;
            var highDate = Instant.FromUnixTimeTicks(high).InZone(Zone).Date;
            LocalDate first, last;
            if (current is null)
            {
                first = PlusYearsClamped(new LocalDate(lowDate.Year, 1, 1), -InitialYearsBefore);
                last = PlusYearsClamped(new LocalDate(highDate.Year, 12, 31), InitialYearsAfter);
            }
            else
            {
                first = Min(current.FirstDate, PlusYearsClamped(lowDate, -5));
                last = Max(current.LastDate, PlusYearsClamped(highDate, 5));
            }
            return Publish(Clamp(first), Clamp(last));
        }
    }

    /// <summary>Widens the index by at least 10 years in one direction; throws when that adds no working time.</summary>
    private IntervalIndex Widen(IntervalIndex current, bool forward)
    {
        lock (gate)
        {
            var latest = index ?? current;
            var years = Math.Max(NeverWorksYears, latest.LastDate.Year - latest.FirstDate.Year);
            var first = forward ? latest.FirstDate : PlusYearsClamped(latest.FirstDate, -years);
            var last = forward ? PlusYearsClamped(latest.LastDate, years) : latest.LastDate;
            if (first == latest.FirstDate && last == latest.LastDate)
                throw new CalendarNeverWorksException(Id, forward ? current.LastDate : MinDate, forward ? MaxDate : current.FirstDate);
            var wider = Publish(first, last);
            var added = forward
                ? wider.Position(wider.CoverHigh) - wider.Position(latest.CoverHigh)
                : wider.Position(latest.CoverLow) - wider.Position(wider.CoverLow);
            if (added == 0)
                throw new CalendarNeverWorksException(Id, forward ? latest.LastDate : first, forward ? last : latest.FirstDate);
            return wider;
        }
    }

    private IntervalIndex Publish(LocalDate first, LocalDate last)
    {
        var built = IntervalIndex.Build(rules, Zone, first, last);
        Interlocked.Increment(ref builds);
        index = built;
        return built;
    }

    // Clamps before adding: LocalDate.PlusYears throws beyond the year 9999.
    private static LocalDate PlusYearsClamped(LocalDate d, int years) =>
        d.Year + (long)years > MaxDate.Year ? MaxDate : d.Year + (long)years < MinDate.Year ? MinDate : d.PlusYears(years);

    private static LocalDate Clamp(LocalDate d) => d < MinDate ? MinDate : d > MaxDate ? MaxDate : d;

    private static LocalDate Min(LocalDate a, LocalDate b) => a < b ? a : b;

    private static LocalDate Max(LocalDate a, LocalDate b) => a > b ? a : b;
}
