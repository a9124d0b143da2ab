using Klaxon.Core.Calendars;
using NodaTime;

namespace Klaxon.Core.Tests.Calendars.Support;

/// <summary>
/// Random calendar chains for property tests: 1–3 levels, weekly hours with and without validity ranges,
/// special days of every kind, exact and yearly (with year ranges), hours on a quarter-hour grid, on odd
/// seconds and around the night hours where clocks change. Dates cluster around a focus year so the rules
/// meet the instants asked about. Entries without hours are always bounded (at most three years), so no
/// calendar goes without work for ten years: the case <see cref="CalendarNeverWorksException"/> covers.
/// Chains are valid as <see cref="CalendarDocument"/> would accept them (no duplicate entries per calendar).
/// </summary>
internal static class RandomCalendars
{
    public static readonly string[] Zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"];

    /// <summary>A chain, nearest first (the calendar asked about is <c>chain[0]</c>, its root is last).</summary>
    public static List<CalendarDefinition> Chain(Random rng, int focusYear)
    {
        var levels = rng.Next(1, 4);
        var chain = new List<CalendarDefinition>();
        for (var level = 0; level < levels; level++)
        {
            var weekly = new List<WeeklyHoursEntry>();
            if (level == 0)
            {
                var days = Enumerable.Range(1, 7).Where(_ => rng.Next(10) < 6).ToList();
                if (days.Count == 0) days.Add(rng.Next(1, 8));
                weekly.AddRange(days.Select(d => new WeeklyHoursEntry((IsoDayOfWeek)d, Hours(rng, allowEmpty: false))));
            }
            for (var n = rng.Next(0, 5); n > 0; n--)
            {
                var entry = WeeklyEntry(rng, focusYear);
                if (!weekly.Any(w => w.Weekday == entry.Weekday && w.ValidFrom == entry.ValidFrom)) weekly.Add(entry);
            }

            var special = new List<SpecialDay>();
            for (var n = rng.Next(0, 9); n > 0; n--)
            {
                var day = SpecialDay(rng, focusYear);
                if (!special.Any(s => Collide(s, day))) special.Add(day);
            }

            var zone = level == 0 || rng.Next(6) == 0 ? Zones[rng.Next(Zones.Length)] : null;
            chain.Insert(0, new CalendarDefinition($"c{level}", $"level {level}", zone, level == 0 ? null : $"c{level - 1}", weekly, special));
        }
        return chain;
    }

    public static DateTimeZone ZoneOf(IReadOnlyList<CalendarDefinition> chain) =>
        DateTimeZoneProviders.Tzdb[chain.Select(c => c.TimeZone).First(z => z is not null)!];

    public static LocalDate DateAround(Random rng, int focusYear, int yearsBefore, int yearsAfter)
    {
        var first = new LocalDate(focusYear - yearsBefore, 1, 1);
        var days = Period.Between(first, new LocalDate(focusYear + yearsAfter, 12, 31), PeriodUnits.Days).Days;
        return first.PlusDays(rng.Next(days + 1));
    }

    private static WeeklyHoursEntry WeeklyEntry(Random rng, int focusYear)
    {
        var weekday = (IsoDayOfWeek)rng.Next(1, 8);
        var hours = Hours(rng, allowEmpty: true);
        LocalDate? from = rng.Next(4) == 0 ? null : DateAround(rng, focusYear, 3, 3);
        LocalDate? until = rng.Next(2) == 0 ? null : (from ?? DateAround(rng, focusYear, 3, 0)).PlusDays(rng.Next(0, 3 * 365));
        if (!hours.IsWorking && (from is null || until is null))
        {
            from = DateAround(rng, focusYear, 3, 3);
            until = from.Value.PlusDays(rng.Next(0, 3 * 365));
        }
        return new WeeklyHoursEntry(weekday, hours, from, until);
    }

    private static SpecialDay SpecialDay(Random rng, int focusYear)
    {
        var kind = (SpecialDayKind)rng.Next(3);
        var hours = kind == SpecialDayKind.Holiday ? DayHours.None : Hours(rng, allowEmpty: false);
        if (rng.Next(2) == 0)
            return new SpecialDay($"exact {kind}", kind, hours, Date: DateAround(rng, focusYear, 1, 2));

        int month, day;
        if (rng.Next(20) == 0)
            (month, day) = (2, 29); // leap years only
        else
        {
            month = rng.Next(1, 13);
            day = rng.Next(1, CalendarSystem.Iso.GetDaysInMonth(2001, month) + 1);
        }
        int? fromYear = rng.Next(2) == 0 ? null : focusYear + rng.Next(-3, 4);
        int? untilYear = rng.Next(2) == 0 ? null : (fromYear ?? focusYear - 3) + rng.Next(0, 6);
        return new SpecialDay($"yearly {kind}", kind, hours, Yearly: new AnnualDate(month, day), FromYear: fromYear, UntilYear: untilYear);
    }

    private static bool Collide(SpecialDay a, SpecialDay b)
    {
        if ((a.Date is null) != (b.Date is null)) return false;
        if (a.Date is not null) return a.Date == b.Date;
        return a.Yearly == b.Yearly &&
               (a.FromYear ?? int.MinValue) <= (b.UntilYear ?? int.MaxValue) &&
               (b.FromYear ?? int.MinValue) <= (a.UntilYear ?? int.MaxValue);
    }

    /// <summary>Random day hours: 1–3 spans, sometimes adjacent, sometimes a whole day, sometimes at night.</summary>
    public static DayHours Hours(Random rng, bool allowEmpty)
    {
        if (allowEmpty && rng.Next(5) == 0) return DayHours.None;
        if (rng.Next(20) == 0) return DayHours.Of(new LocalSpan(0, LocalSpan.SecondsPerDay));
        var count = rng.Next(1, 4);
        var style = rng.Next(10);
        var (low, high, grid) = style switch
        {
            < 6 => (0, LocalSpan.SecondsPerDay, 900), // quarter hours over the whole day
            < 8 => (0, LocalSpan.SecondsPerDay, 1), // any second
            _ => (0, 5 * 3600, 300), // the small hours, where clocks change
        };
        var points = new SortedSet<int>();
        while (points.Count < 2 * count) points.Add(low + rng.Next((high - low) / grid + 1) * grid);
        var p = points.ToArray();
        var spans = new List<LocalSpan>();
        for (var i = 0; i < count; i++) spans.Add(new LocalSpan(p[2 * i], p[2 * i + 1]));
        if (count >= 2 && rng.Next(4) == 0) spans[1] = spans[1] with { Start = spans[0].End }; // adjacent spans
        return DayHours.Of([.. spans]);
    }
}
