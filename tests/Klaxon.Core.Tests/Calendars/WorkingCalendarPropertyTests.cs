using Klaxon.Core.Calendars;
using Klaxon.Core.Tests.Calendars.Support;
using NodaTime;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Klaxon.Core.Tests.Calendars;

/// <summary>
/// The fast calendar (interval index, binary searches) against <see cref="ReferenceCalendar"/> (a day-by-day
/// walk) on random calendars. The seed is fixed; set <c>KLAXON_PROPERTY_SEED</c> to try another one. Every
/// failure message names the seed, the calendar and the inputs.
/// </summary>
public sealed class WorkingCalendarPropertyTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_260_604;
    private const long TicksPerSecond = NodaConstants.TicksPerSecond;
    private const long TicksPerHour = NodaConstants.TicksPerHour;

    private static int Seed =>
        Environment.GetEnvironmentVariable("KLAXON_PROPERTY_SEED") is { Length: > 0 } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : DefaultSeed;

    [Fact]
    public void FastCalendar_RandomCalendarsInFiveZones_AgreesWithTheReference()
    {
        var seed = Seed;
        var master = new Random(seed);
        var tally = new Tally();
        for (var number = 0; tally.Compared < 10_000; number++)
        {
            Assert.True(number < 1_000, $"Seed {seed}: only {tally.Compared} comparable cases in 1,000 calendars; the reference window is too narrow.");
            var rng = new Random(master.Next());
            var focus = rng.Next(2008, 2033);
            var chain = RandomCalendars.Chain(rng, focus);
            var zone = RandomCalendars.ZoneOf(chain);
            var fast = WorkingCalendar.FromChain(chain);
            var reference = new ReferenceCalendar(chain, zone, new LocalDate(focus - 10, 1, 1), new LocalDate(focus + 12, 12, 31));
            var from = zone.AtStartOfDay(new LocalDate(focus, 1, 1)).ToInstant().ToUnixTimeTicks();
            var to = zone.AtStartOfDay(new LocalDate(focus + 2, 1, 1)).ToInstant().ToUnixTimeTicks();
            var c = new Case(seed, number, chain, zone, fast, reference);

            for (var i = 0; i < 30; i++) c.CheckDay(RandomCalendars.DateAround(rng, focus, 1, 1));
            for (var i = 0; i < 100; i++) c.CheckRandomQuery(rng, from, to, tally);
        }
        output.WriteLine($"Seed {seed}: {tally}");
    }

    [Fact]
    public void FastCalendar_RandomCalendarsInSingleTransitionZones_AgreesWithTheReference()
    {
        var seed = Seed;
        var master = new Random(seed ^ 0x5eed);
        var tally = new Tally();
        for (var number = 0; tally.Compared < 3_000; number++)
        {
            Assert.True(number < 500, $"Seed {seed}: only {tally.Compared} comparable cases in 500 calendars.");
            var rng = new Random(master.Next());
            var focus = rng.Next(2008, 2033);
            var chain = RandomCalendars.Chain(rng, focus);
            var zone = RandomTransitionZone(rng, focus);
            var fast = WorkingCalendar.FromChain(chain, zone);
            var reference = new ReferenceCalendar(chain, zone, new LocalDate(focus - 10, 1, 1), new LocalDate(focus + 12, 12, 31));
            var transition = zone.Transition.ToUnixTimeTicks();
            var c = new Case(seed, number, chain, zone, fast, reference);

            var transitionDate = zone.Transition.InZone(zone).Date;
            for (var day = -2; day <= 2; day++) c.CheckDay(transitionDate.PlusDays(day));
            for (var i = 0; i < 60; i++) c.CheckRandomQuery(rng, transition - 3 * NodaConstants.TicksPerDay, transition + 3 * NodaConstants.TicksPerDay, tally);
        }
        output.WriteLine($"Seed {seed}: {tally}");
    }

    /// <summary>
    /// IsWorking minute by minute (at a random second of each minute) against the plain reading of the day's
    /// local hours, away from dates with a clock change, where local time and instants correspond one to one.
    /// </summary>
    [Fact]
    public void IsWorking_EveryMinuteOfTenDays_MatchesTheLocalHours()
    {
        var seed = Seed;
        var master = new Random(seed ^ 0x0111);
        var minutes = 0;
        for (var number = 0; number < 40; number++)
        {
            var rng = new Random(master.Next());
            var focus = rng.Next(2008, 2033);
            var chain = RandomCalendars.Chain(rng, focus);
            var zone = RandomCalendars.ZoneOf(chain);
            var fast = WorkingCalendar.FromChain(chain);
            var firstDate = RandomCalendars.DateAround(rng, focus, 0, 0);
            var second = rng.Next(2) == 0 ? 0 : rng.Next(60);
            var start = zone.AtStartOfDay(firstDate).ToInstant().Plus(Duration.FromSeconds(second));
            var end = zone.AtStartOfDay(firstDate.PlusDays(10)).ToInstant();
            var counted = Duration.Zero;
            var anyTransition = false;
            var days = new Dictionary<LocalDate, DayHours?>(); // null: a date with a clock change, not compared
            for (var t = start; t < end; t += Duration.FromMinutes(1))
            {
                var local = t.InZone(zone).LocalDateTime;
                if (!days.TryGetValue(local.Date, out var hours))
                {
                    var changes = zone.AtStartOfDay(local.Date).Offset != zone.AtStartOfDay(local.Date.PlusDays(1)).Offset;
                    days[local.Date] = hours = changes ? null : ReferenceCalendar.ResolveDay(chain, local.Date).Hours;
                }
                if (hours is null)
                {
                    anyTransition = true;
                    continue;
                }
                var secondOfDay = local.TimeOfDay.TickOfDay / TicksPerSecond;
                var expected = hours.Spans.Any(s => s.Start <= secondOfDay && secondOfDay < s.End);
                if (fast.IsWorking(t) != expected)
                    Assert.Fail($"Seed {seed}, calendar #{number}, zone {zone.Id}: IsWorking({t} = {local}) is {!expected}, expected {expected}.{Environment.NewLine}{Cal.Describe(chain)}");
                if (expected) counted += Duration.FromMinutes(1);
                minutes++;
            }
            var onMinutes = chain.SelectMany(d => d.WeeklyHours.Select(w => w.Hours).Concat(d.SpecialDays.Select(s => s.Hours)))
                .All(h => h.Spans.All(s => s.Start % 60 == 0 && s.End % 60 == 0));
            if (second == 0 && onMinutes && !anyTransition)
                Assert.True(counted == fast.Between(start, end), $"Seed {seed}, calendar #{number}: Between({start}, {end}) = {fast.Between(start, end)}, counted {counted} minute by minute.{Environment.NewLine}{Cal.Describe(chain)}");
        }
        Assert.True(minutes > 500_000, $"only {minutes} minutes were compared");
    }

    private static SingleTransitionZone RandomTransitionZone(Random rng, int focus)
    {
        var date = RandomCalendars.DateAround(rng, focus, 0, 0);
        var secondOfDay = rng.Next(4) == 0 ? 0 : rng.Next(96) * 900;
        var before = Offset.FromSeconds(rng.Next(-24, 29) * 1800);
        int[] changes = [-10800, -7200, -3600, -1800, 1800, 3600, 7200, 10800];
        var after = before + Offset.FromSeconds(changes[rng.Next(changes.Length)]);
        var transition = date.AtMidnight().PlusSeconds(secondOfDay).WithOffset(before).ToInstant();
        return new SingleTransitionZone(transition, before, after);
    }

    private sealed class Tally
    {
        private readonly Dictionary<string, int> compared = [];
        private int skipped;

        public int Compared => compared.Values.Sum();

        public void Count(string operation, bool wasCompared)
        {
            if (wasCompared) compared[operation] = compared.GetValueOrDefault(operation) + 1;
            else skipped++;
        }

        public override string ToString() =>
            $"{Compared} cases compared ({string.Join(", ", compared.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}), {skipped} outside the reference window";
    }

    private sealed class Case(int seed, int number, IReadOnlyList<CalendarDefinition> chain, DateTimeZone zone, WorkingCalendar fast, ReferenceCalendar reference)
    {
        public void CheckDay(LocalDate date)
        {
            var expected = ReferenceCalendar.ResolveDay(chain, date);
            var actual = fast.Day(date);
            if (!actual.Hours.Equals(expected.Hours) || actual.Rule != expected.Rule || actual.CalendarId != expected.CalendarId || actual.Name != expected.Name)
                Fail($"Day({CalendarText.FormatDate(date)})", $"{expected}", $"{(actual.Hours, actual.Rule, actual.CalendarId, actual.Name)}");
        }

        public void CheckRandomQuery(Random rng, long from, long to, Tally tally)
        {
            var t = RandomInstant(rng, from, to);
            switch (rng.Next(20))
            {
                case < 8:
                {
                    var d = RandomDuration(rng, t);
                    var expected = reference.Add(t, d);
                    tally.Count("Add", expected is not null);
                    if (expected is null) break;
                    var actual = Run($"Add({Show(t)}, {Duration.FromTicks(d)})", () => fast.Add(Instant.FromUnixTimeTicks(t), Duration.FromTicks(d)).ToUnixTimeTicks());
                    if (actual != expected) Fail($"Add({Show(t)}, {Duration.FromTicks(d)})", Show(expected.Value), Show(actual));
                    break;
                }
                case < 11:
                {
                    var b = rng.Next(3) == 0 ? RandomInstant(rng, from, to) : t + (rng.Next(2) == 0 ? -1 : 1) * rng.NextInt64(3000 * TicksPerHour);
                    var expected = reference.Between(t, b);
                    tally.Count("Between", expected is not null);
                    if (expected is null) break;
                    var actual = Run($"Between({Show(t)}, {Show(b)})", () => fast.Between(Instant.FromUnixTimeTicks(t), Instant.FromUnixTimeTicks(b)).BclCompatibleTicks);
                    if (actual != expected) Fail($"Between({Show(t)}, {Show(b)})", Duration.FromTicks(expected.Value).ToString(), Duration.FromTicks(actual).ToString());
                    break;
                }
                case < 14:
                {
                    var expected = reference.IsWorking(t);
                    tally.Count("IsWorking", expected is not null);
                    if (expected is null) break;
                    var actual = Run($"IsWorking({Show(t)})", () => fast.IsWorking(Instant.FromUnixTimeTicks(t)));
                    if (actual != expected) Fail($"IsWorking({Show(t)})", $"{expected}", $"{actual}");
                    break;
                }
                case < 16:
                {
                    var expected = reference.NextWorkingInstant(t);
                    tally.Count("NextWorkingInstant", expected is not null);
                    if (expected is null) break;
                    var actual = Run($"NextWorkingInstant({Show(t)})", () => fast.NextWorkingInstant(Instant.FromUnixTimeTicks(t)).ToUnixTimeTicks());
                    if (actual != expected) Fail($"NextWorkingInstant({Show(t)})", Show(expected.Value), Show(actual));
                    break;
                }
                case < 19:
                {
                    var days = rng.Next(10) == 0 ? 0 : rng.Next(-30, 31);
                    var expected = reference.AddWorkingDays(t, days);
                    tally.Count("AddWorkingDays", expected is not null);
                    if (expected is null) break;
                    var actual = Run($"AddWorkingDays({Show(t)}, {days})", () => fast.AddWorkingDays(Instant.FromUnixTimeTicks(t), days).ToUnixTimeTicks());
                    if (actual != expected) Fail($"AddWorkingDays({Show(t)}, {days})", Show(expected.Value), Show(actual));
                    break;
                }
                default:
                {
                    var b = t + (rng.Next(5) == 0 ? -1 : 1) * rng.NextInt64(10 * NodaConstants.TicksPerDay);
                    var expected = reference.WorkingIntervals(t, b);
                    tally.Count("WorkingIntervals", expected is not null);
                    if (expected is null) break;
                    var actual = Run($"WorkingIntervals({Show(t)}, {Show(b)})", () => fast.WorkingIntervals(Instant.FromUnixTimeTicks(t), Instant.FromUnixTimeTicks(b))
                        .Select(i => (i.Start.ToUnixTimeTicks(), i.End.ToUnixTimeTicks())).ToList());
                    if (!actual.SequenceEqual(expected))
                        Fail($"WorkingIntervals({Show(t)}, {Show(b)})", ShowIntervals(expected), ShowIntervals(actual));
                    break;
                }
            }
        }

        /// <summary>Uniform instants, interval boundaries exactly, or boundaries off by a tick up to an hour.</summary>
        private long RandomInstant(Random rng, long from, long to)
        {
            var mode = rng.Next(10);
            var uniform = rng.NextInt64(from, to);
            if (mode < 4) return rng.Next(2) == 0 ? uniform - uniform % TicksPerSecond : uniform;
            var intervals = reference.Intervals;
            var i = FirstEndingAfter(intervals, uniform);
            if (i >= intervals.Count) return uniform;
            var boundary = rng.Next(2) == 0 ? intervals[i].Start : intervals[i].End;
            if (mode < 8) return boundary;
            var offset = rng.Next(3) == 0 ? rng.Next(1, 3) : rng.NextInt64(1, TicksPerHour);
            return boundary + (rng.Next(2) == 0 ? -offset : offset);
        }

        /// <summary>Up to an hour, up to 100 h, up to 2,000 h, or exactly to a boundary a few intervals away; either sign.</summary>
        private long RandomDuration(Random rng, long t)
        {
            var sign = rng.Next(2) == 0 ? -1 : 1;
            var ticks = rng.Next(10) switch
            {
                < 3 => rng.NextInt64(1, TicksPerHour),
                < 7 => rng.NextInt64(TicksPerHour, 100 * TicksPerHour),
                < 9 => rng.NextInt64(100 * TicksPerHour, 2000 * TicksPerHour),
                _ => ToBoundary(rng, t, sign) ?? rng.NextInt64(1, 100 * TicksPerHour),
            };
            if (rng.Next(2) == 0 && ticks >= TicksPerSecond) ticks -= ticks % TicksPerSecond;
            return sign * Math.Abs(ticks);
        }

        private long? ToBoundary(Random rng, long t, int sign)
        {
            var intervals = reference.Intervals;
            var i = FirstEndingAfter(intervals, t) + (sign > 0 ? rng.Next(20) : -rng.Next(20));
            if (i < 0 || i >= intervals.Count) return null;
            var between = reference.Between(t, sign > 0 ? intervals[i].End : intervals[i].Start);
            return between is { } b && b != 0 ? b : null;
        }

        private static int FirstEndingAfter(IReadOnlyList<(long Start, long End)> intervals, long t)
        {
            int lo = 0, hi = intervals.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (intervals[mid].End > t) hi = mid; else lo = mid + 1;
            }
            return lo;
        }

        private T Run<T>(string call, Func<T> f)
        {
            try
            {
                return f();
            }
            catch (Exception e)
            {
                throw new XunitException(Context(call) + $"threw {e}");
            }
        }

        private void Fail(string call, string expected, string actual) =>
            throw new XunitException(Context(call) + $"expected {expected}{Environment.NewLine}actual   {actual}");

        private string Context(string call) =>
            $"Seed {seed} (KLAXON_PROPERTY_SEED={seed} replays it), calendar #{number} in zone {zone.Id}:{Environment.NewLine}" +
            Cal.Describe(chain) + Environment.NewLine + call + Environment.NewLine;

        private string Show(long ticks)
        {
            var instant = Instant.FromUnixTimeTicks(ticks);
            return $"{instant:uuuu-MM-dd'T'HH:mm:ss.FFFFFFF'Z'} ({instant.InZone(zone).LocalDateTime:uuuu-MM-dd'T'HH:mm:ss.FFFFFFF} local)";
        }

        private string ShowIntervals(IEnumerable<(long Start, long End)> intervals) =>
            "[" + string.Join(", ", intervals.Select(i => $"{Show(i.Start)} – {Show(i.End)}")) + "]";
    }
}
