using BenchmarkDotNet.Attributes;
using Klaxon.Core.Calendars;
using NodaTime;

namespace Klaxon.Bench;

/// <summary>Add and Between through the public Core API, against the day-walking reference, per offset.</summary>
[MemoryDiagnoser]
public class CalendarBenchmarks
{
    private Instant[] starts = [];
    private Instant[] ends = [];
    private WorkingCalendar calendar = null!;
    private DayWalkingCalendar walker = null!;
    private Duration offset;
    private int next;

    [Params(4, 72, 80, 2000)]
    public int Hours { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        calendar = new CalendarCatalog([BenchCalendars.Definition]).Get("bench");
        walker = new DayWalkingCalendar(calendar);
        offset = Duration.FromHours(Hours);
        starts = BenchCalendars.RandomStarts(4096);
        ends = [.. starts.Select(s => s + Duration.FromHours(Hours * 2))];
        calendar.Add(starts[0], offset); // first use builds the index
    }

    [Benchmark]
    public Instant Add()
    {
        var i = next++ & 4095;
        return calendar.Add(starts[i], offset);
    }

    [Benchmark]
    public Duration Between()
    {
        var i = next++ & 4095;
        return calendar.Between(starts[i], ends[i]);
    }

    [Benchmark]
    public Instant NaiveAdd()
    {
        var i = next++ & 4095;
        return walker.Add(starts[i], offset);
    }

    [Benchmark]
    public Duration NaiveBetween()
    {
        var i = next++ & 4095;
        return walker.Between(starts[i], ends[i]);
    }
}

/// <summary>Building the interval index of a fresh calendar for 10 years.</summary>
[MemoryDiagnoser]
public class IndexBuildBenchmarks
{
    [Benchmark]
    public long BuildTenYears()
    {
        var calendar = new CalendarCatalog([BenchCalendars.Definition]).Get("bench");
        calendar.IsWorking(Instant.FromUtc(2027, 6, 1, 10, 0)); // builds 2025-01-01 .. 2035-12-31
        return calendar.IndexBytes;
    }
}
