using Klaxon.Core.Calendars;
using NodaTime;
using NodaTime.TimeZones;

namespace Klaxon.Bench;

/// <summary>The calendar of the benchmarks: Mon–Fri 09:00–12:00 and 13:00–17:00 in Europe/Berlin,
/// about ten holidays a year, shortened Dec 24 and Dec 31, and DST twice a year.</summary>
public static class BenchCalendars
{
    public static CalendarDefinition Definition { get; } = Build();

    private static CalendarDefinition Build()
    {
        var hours = DayHours.Parse("09:00-12:00, 13:00-17:00").Value;
        var weekly = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .Select(d => new WeeklyHoursEntry(d, hours)).ToList();
        var special = new List<SpecialDay>
        {
            Yearly("New Year", 1, 1), Yearly("Labour Day", 5, 1), Yearly("German Unity Day", 10, 3),
            Yearly("Christmas Day", 12, 25), Yearly("Boxing Day", 12, 26),
            new("Christmas Eve", SpecialDayKind.Shortened, DayHours.Parse("09:00-13:00").Value, Yearly: new AnnualDate(12, 24)),
            new("New Year's Eve", SpecialDayKind.Shortened, DayHours.Parse("09:00-13:00").Value, Yearly: new AnnualDate(12, 31)),
        };
        foreach (var date in new[] { "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25", "2027-03-26", "2027-03-29", "2027-05-06", "2027-05-17", "2028-04-14", "2028-04-17" })
            special.Add(new SpecialDay("Movable feast", SpecialDayKind.Holiday, DayHours.None, Date: NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value));
        return new CalendarDefinition("bench", "Benchmark calendar", "Europe/Berlin", null, weekly, special);
    }

    private static SpecialDay Yearly(string name, int month, int day) =>
        new(name, SpecialDayKind.Holiday, DayHours.None, Yearly: new AnnualDate(month, day));

    /// <summary>Random start instants over 2026–2027, whole seconds, fixed seed.</summary>
    public static Instant[] RandomStarts(int count, int seed = 42)
    {
        var random = new Random(seed);
        var from = Instant.FromUtc(2026, 1, 1, 0, 0).ToUnixTimeSeconds();
        var to = Instant.FromUtc(2028, 1, 1, 0, 0).ToUnixTimeSeconds();
        return [.. Enumerable.Range(0, count).Select(_ => Instant.FromUnixTimeSeconds(random.NextInt64(from, to)))];
    }
}

/// <summary>
/// How today's libraries answer: walk the calendar day by day, resolving each day's rules and mapping its
/// spans through the zone. Correct, and its cost grows with the offset.
/// </summary>
public sealed class DayWalkingCalendar(WorkingCalendar rules)
{
    private readonly DateTimeZone zone = rules.Zone;

    public Instant Add(Instant start, Duration duration)
    {
        var remaining = duration;
        var date = start.InZone(zone).Date.PlusDays(-1);
        while (true)
        {
            foreach (var span in rules.Day(date).Hours.Spans)
            {
                var s = Map(date, span.Start);
                var e = Map(date, span.End);
                if (e <= start) continue;
                if (s < start) s = start;
                var length = e - s;
                if (length >= remaining) return s + remaining;
                remaining -= length;
            }
            date = date.PlusDays(1);
        }
    }

    public Duration Between(Instant from, Instant to)
    {
        var total = Duration.Zero;
        for (var date = from.InZone(zone).Date.PlusDays(-1); date <= to.InZone(zone).Date; date = date.PlusDays(1))
        {
            foreach (var span in rules.Day(date).Hours.Spans)
            {
                var s = Map(date, span.Start);
                var e = Map(date, span.End);
                if (s < from) s = from;
                if (e > to) e = to;
                if (e > s) total += e - s;
            }
        }
        return total;
    }

    private Instant Map(LocalDate date, int second) =>
        zone.ResolveLocal(second >= LocalSpan.SecondsPerDay ? date.PlusDays(1).AtMidnight() : date + LocalTime.FromSecondsSinceMidnight(second), Resolvers.LenientResolver).ToInstant();
}
