using System.Globalization;
using Klaxon.Core.Calendars;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Core.Tests.Calendars.Support;

/// <summary>Short ways to write calendar definitions, dates and instants in tests.</summary>
internal static class Cal
{
    public static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    private static readonly LocalDateTimePattern LocalPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss");

    public static DayHours Hours(string text) => DayHours.Parse(text).Value;

    public static LocalDate Date(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    /// <summary>Reads <c>2026-06-08T10:00</c> or <c>2026-06-08T10:00:07</c>.</summary>
    public static LocalDateTime Local(string text) => LocalPattern.Parse(text.Length == 16 ? text + ":00" : text).Value;

    /// <summary>The instant of an unambiguous local time in <paramref name="zone"/>.</summary>
    public static Instant At(DateTimeZone zone, string local) => zone.AtStrictly(Local(local)).ToInstant();

    public static Instant InBerlin(string local) => At(Berlin, local);

    /// <summary>The instant at which the wall clock at offset <paramref name="hours"/> shows <paramref name="local"/>.</summary>
    public static Instant AtOffset(string local, double hours) => Local(local).WithOffset(Offset.FromSeconds((int)(hours * 3600))).ToInstant();

    /// <summary>
    /// Local date and time in <paramref name="zone"/> without offset, written as the tables write it:
    /// <c>2026-06-08T10:00</c>, with seconds and fractions only when there are any (use where no DST transition is near).
    /// </summary>
    public static string ShowLocal(DateTimeZone zone, Instant instant)
    {
        var local = instant.InZone(zone).LocalDateTime;
        var text = local.ToString("uuuu'-'MM'-'dd'T'HH':'mm", CultureInfo.InvariantCulture);
        if (local.Second != 0 || local.TickOfSecond != 0) text += local.ToString("':'ss;FFFFFFF", CultureInfo.InvariantCulture);
        return text;
    }

    /// <summary>Reads durations such as <c>1h</c>, <c>-1h30m</c>, <c>6h59m53s</c>, <c>0</c>.</summary>
    public static Duration Span(string text)
    {
        var negative = text.StartsWith('-');
        var rest = negative ? text[1..] : text;
        var total = Duration.Zero;
        var number = 0L;
        foreach (var c in rest)
        {
            if (char.IsAsciiDigit(c)) { number = number * 10 + (c - '0'); continue; }
            total += c switch
            {
                'h' => Duration.FromHours(number),
                'm' => Duration.FromMinutes(number),
                's' => Duration.FromSeconds(number),
                _ => throw new FormatException($"'{text}' is not a duration like 1h30m."),
            };
            number = 0;
        }
        if (number != 0) throw new FormatException($"'{text}' ends without a unit.");
        return negative ? -total : total;
    }

    public static WeeklyHoursEntry Weekly(IsoDayOfWeek day, string hours, string? from = null, string? until = null) =>
        new(day, Hours(hours), from is null ? null : Date(from), until is null ? null : Date(until));

    public static IsoDayOfWeek[] MondayToFriday { get; } =
        [IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday];

    public static WeeklyHoursEntry[] Weekdays(string hours) => [.. MondayToFriday.Select(d => Weekly(d, hours))];

    public static WeeklyHoursEntry[] EveryDay(string hours) => [.. Enumerable.Range(1, 7).Select(d => Weekly((IsoDayOfWeek)d, hours))];

    public static SpecialDay Exact(string name, SpecialDayKind kind, string date, string hours = "") =>
        new(name, kind, Hours(hours), Date: Date(date));

    public static SpecialDay Yearly(string name, SpecialDayKind kind, string monthDay, string hours = "", int? from = null, int? until = null)
    {
        var parts = monthDay.Split('-');
        return new(name, kind, Hours(hours), Yearly: new AnnualDate(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture)), FromYear: from, UntilYear: until);
    }

    public static CalendarDefinition Definition(string id, string? zone, string? parent, IEnumerable<WeeklyHoursEntry>? weekly = null, IEnumerable<SpecialDay>? special = null) =>
        new(id, id, zone, parent, [.. weekly ?? []], [.. special ?? []]);

    /// <summary>Field-by-field equality (the record's own equality compares its lists by reference).</summary>
    public static void AssertSameDefinition(CalendarDefinition expected, CalendarDefinition actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.TimeZone, actual.TimeZone);
        Assert.Equal(expected.Parent, actual.Parent);
        Assert.Equal(expected.WeeklyHours, actual.WeeklyHours);
        Assert.Equal(expected.SpecialDays, actual.SpecialDays);
    }

    /// <summary>A chain of definitions written out for failure messages.</summary>
    public static string Describe(IEnumerable<CalendarDefinition> chain)
    {
        var lines = new List<string>();
        foreach (var c in chain)
        {
            lines.Add($"  {c.Id} (zone {c.TimeZone ?? "inherited"}, parent {c.Parent ?? "none"})");
            lines.AddRange(c.WeeklyHours.Select(w => $"    weekly {w.Weekday} '{w.Hours}' from {Opt(w.ValidFrom)} until {Opt(w.ValidUntil)}"));
            lines.AddRange(c.SpecialDays.Select(s => $"    special {s.Kind} '{s.Name}' '{s.Hours}' " + (s.Date is { } d
                ? CalendarText.FormatDate(d)
                : $"yearly {s.Yearly!.Value.Month:00}-{s.Yearly!.Value.Day:00} years {s.FromYear?.ToString(CultureInfo.InvariantCulture) ?? "open"}..{s.UntilYear?.ToString(CultureInfo.InvariantCulture) ?? "open"}")));
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Opt(LocalDate? d) => d is { } x ? CalendarText.FormatDate(x) : "open";
}
