using System.Collections.Concurrent;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tests.Calendars.Support;
using NodaTime;
using static Klaxon.Core.Tests.Calendars.Support.Cal;

namespace Klaxon.Core.Tests.Calendars;

/// <summary>
/// The interval index behind <see cref="WorkingCalendar"/>, seen from outside: its size over years of use,
/// long sums that stay exact, and that a long sum does not keep rebuilding it.
/// </summary>
public sealed class IntervalIndexTests
{
    private const long TwoMiB = 2 * 1024 * 1024;

    private static WorkingCalendar Seed() => WorkingCalendar.FromChain([SeedExamplesTests.Project, SeedExamplesTests.System]);

    private static WorkingCalendar Dense() =>
        WorkingCalendar.FromChain([Definition("dense", "Europe/Berlin", null, EveryDay("00:00-05:00, 06:00-11:00, 12:00-17:00, 18:00-23:00"))]);

    [Fact]
    public void IndexBytes_BeforeFirstUse_IsZero()
    {
        var calendar = Seed();

        Assert.Equal(0, calendar.IndexBytes);
        Assert.Equal(0, calendar.IndexBuilds);
        Assert.Equal(Hours("09:00-17:00"), calendar.Day(Date("2026-06-01")).Hours); // Day does not need the index
        Assert.Equal(0, calendar.IndexBuilds);
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("dense")]
    public void IndexBytes_CalendarUsedForTenYears_StaysUnderTwoMiB(string which)
    {
        var calendar = which == "seed" ? Seed() : Dense();

        for (var month = 0; month < 120; month++)
        {
            var t = InBerlin("2026-01-05T10:00").InZone(Berlin).LocalDateTime.PlusMonths(month).InZoneLeniently(Berlin).ToInstant();
            calendar.Add(t, Duration.FromHours(100));
            calendar.Add(t, Duration.FromHours(-100));
            calendar.Between(t, t + Duration.FromDays(30));
            calendar.AddWorkingDays(t, 20);
        }

        Assert.InRange(calendar.IndexBytes, 1, TwoMiB);
        Assert.InRange(calendar.IndexBuilds, 1, 5);
    }

    public static TheoryData<string, string> LongSums => new()
    {
        { "2026-01-05T10:00", "2000h" },
        { "2026-01-05T10:00", "-2000h" },
        { "2026-03-27T16:30:07", "1999h59m59s" },
        { "2026-10-23T12:00", "40000h" }, // about twenty years of working time
        { "2046-01-05T10:00", "-40000h" },
        { "2026-12-24T12:59:59", "41234h56m7s" },
    };

    [Theory]
    [MemberData(nameof(LongSums))]
    public void Add_LongSum_AgreesWithTheReferenceWalk(string start, string duration)
    {
        var chain = new[] { SeedExamplesTests.Project, SeedExamplesTests.System };
        var reference = new ReferenceCalendar(chain, Berlin, new LocalDate(2000, 1, 1), new LocalDate(2072, 12, 31));
        var t = InBerlin(start);
        var d = Span(duration);

        var expected = reference.Add(t.ToUnixTimeTicks(), d.BclCompatibleTicks);
        var actual = Seed().Add(t, d);

        Assert.NotNull(expected);
        Assert.Equal(Instant.FromUnixTimeTicks(expected.Value), actual);
        Assert.Equal(d, Seed().Between(t, actual));
    }

    [Fact]
    public void Add_TwentyYearsOfWorkingTime_IsExactAndBuildsTheIndexOnlyAFewTimes()
    {
        var calendar = Seed();
        var start = InBerlin("2026-01-05T09:00");
        var twentyYears = calendar.Between(start, InBerlin("2046-01-05T09:00")); // 2046-01-05 is a Friday

        var end = calendar.Add(start, twentyYears);
        var buildsAfterFirst = calendar.IndexBuilds;
        var back = calendar.Add(end, -twentyYears);

        Assert.Equal("2046-01-04T17:00", ShowLocal(Berlin, end)); // the end of the last working interval before it
        Assert.Equal(start, back);
        Assert.InRange(buildsAfterFirst, 1, 4);
        Assert.Equal(buildsAfterFirst, calendar.IndexBuilds); // the way back reuses the index
        Assert.InRange(twentyYears.TotalHours, 20 * 1900, 20 * 2100);
    }

    private static CalendarDefinition[] ChainNamed(string which) => which switch
    {
        "seed" => [SeedExamplesTests.Project, SeedExamplesTests.System],
        "24x7" => [Definition("24x7", "Europe/Berlin", null, EveryDay("00:00-24:00"))],
        _ => [Definition("night", "Europe/Berlin", null, EveryDay("00:00-02:00, 22:00-24:00"), [Exact("off", SpecialDayKind.Holiday, "2034-12-31")])],
    };

    private static readonly string[] Probes =
    [
        "Add 1h", "Add -1h", "Add 100h", "Add -100h", "Between +200h", "Between -200h", "IsWorking", "NextWorkingInstant",
        "AddWorkingDays 1", "AddWorkingDays -1", "AddWorkingDays 3", "WorkingIntervals",
    ];

    /// <summary>
    /// The first use places the index around 2026 (today it holds 2024-01-01 to 2034-12-31 and answers from
    /// 2024-01-02T00:00 to 2034-12-31T00:00 local time); questions on those edges and one tick either side must be
    /// answered as if there were no edges.
    /// </summary>
    [Theory]
    [InlineData("seed")]
    [InlineData("24x7")]
    [InlineData("night")]
    public void Queries_AroundTheEdgesOfTheFirstIndexWindow_AgreeWithTheReference(string which)
    {
        var chain = ChainNamed(which);
        var reference = new ReferenceCalendar(chain, Berlin, new LocalDate(2000, 1, 1), new LocalDate(2060, 12, 31));
        long[] offsets = [0, 1, -1];
        foreach (var edge in new[] { "2024-01-02T00:00", "2034-12-31T00:00" })
        {
            foreach (var offset in offsets)
            {
                var t = InBerlin(edge).ToUnixTimeTicks() + offset;
                foreach (var probe in Probes)
                {
                    var calendar = WorkingCalendar.FromChain(chain);
                    calendar.IsWorking(InBerlin("2026-06-01T10:00"));
                    var (expected, actual) = Probe(calendar, reference, probe, t);
                    Assert.True(expected == actual, $"{which}: {probe} at {Instant.FromUnixTimeTicks(t)}: expected {expected}, actual {actual}");
                }
            }
        }
    }

    /// <summary>One calendar asked from several threads at once, over decades, so its index is widened while in use.</summary>
    [Fact]
    public void Queries_FromManyThreadsOverDecades_AgreeWithTheReference()
    {
        var chain = ChainNamed("seed");
        var reference = new ReferenceCalendar(chain, Berlin, new LocalDate(1975, 1, 1), new LocalDate(2075, 12, 31));
        var calendar = WorkingCalendar.FromChain(chain);
        var low = InBerlin("1985-01-01T00:00").ToUnixTimeTicks();
        var high = InBerlin("2065-01-01T00:00").ToUnixTimeTicks();
        var failures = new ConcurrentBag<string>();

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var rng = new Random(i);
            var t = rng.NextInt64(low, high);
            var probe = Probes[rng.Next(Probes.Length)];
            var (expected, actual) = Probe(calendar, reference, probe, t);
            if (expected != actual) failures.Add($"#{i} {probe} at {Instant.FromUnixTimeTicks(t)}: expected {expected}, actual {actual}");
        });

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(5)));
    }

    private static (string Expected, string Actual) Probe(WorkingCalendar calendar, ReferenceCalendar reference, string probe, long t)
    {
        var at = Instant.FromUnixTimeTicks(t);
        var hour = NodaConstants.TicksPerHour;
        return probe switch
        {
            "Add 1h" => ($"{reference.Add(t, hour)}", $"{calendar.Add(at, Duration.FromTicks(hour)).ToUnixTimeTicks()}"),
            "Add -1h" => ($"{reference.Add(t, -hour)}", $"{calendar.Add(at, Duration.FromTicks(-hour)).ToUnixTimeTicks()}"),
            "Add 100h" => ($"{reference.Add(t, 100 * hour)}", $"{calendar.Add(at, Duration.FromTicks(100 * hour)).ToUnixTimeTicks()}"),
            "Add -100h" => ($"{reference.Add(t, -100 * hour)}", $"{calendar.Add(at, Duration.FromTicks(-100 * hour)).ToUnixTimeTicks()}"),
            "Between +200h" => ($"{reference.Between(t, t + 200 * hour)}", $"{calendar.Between(at, at.PlusTicks(200 * hour)).BclCompatibleTicks}"),
            "Between -200h" => ($"{reference.Between(t, t - 200 * hour)}", $"{calendar.Between(at, at.PlusTicks(-200 * hour)).BclCompatibleTicks}"),
            "IsWorking" => ($"{reference.IsWorking(t)}", $"{calendar.IsWorking(at)}"),
            "NextWorkingInstant" => ($"{reference.NextWorkingInstant(t)}", $"{calendar.NextWorkingInstant(at).ToUnixTimeTicks()}"),
            "AddWorkingDays 1" => ($"{reference.AddWorkingDays(t, 1)}", $"{calendar.AddWorkingDays(at, 1).ToUnixTimeTicks()}"),
            "AddWorkingDays -1" => ($"{reference.AddWorkingDays(t, -1)}", $"{calendar.AddWorkingDays(at, -1).ToUnixTimeTicks()}"),
            "AddWorkingDays 3" => ($"{reference.AddWorkingDays(t, 3)}", $"{calendar.AddWorkingDays(at, 3).ToUnixTimeTicks()}"),
            _ => (
                string.Join(" ", reference.WorkingIntervals(t - 24 * hour, t + 24 * hour)!.Select(i => $"{i.Start}-{i.End}")),
                string.Join(" ", calendar.WorkingIntervals(at.PlusTicks(-24 * hour), at.PlusTicks(24 * hour)).Select(i => $"{i.Start.ToUnixTimeTicks()}-{i.End.ToUnixTimeTicks()}"))),
        };
    }
}
