using NodaTime;

namespace Klaxon.Core.Calendars;

/// <summary>What a special day does to the date it names.</summary>
public enum SpecialDayKind
{
    /// <summary>No work that day.</summary>
    Holiday,

    /// <summary>Replaces the hours, but only where the day would otherwise be a working day (Dec 24 "9:00-13:00").</summary>
    Shortened,

    /// <summary>An exceptional working day with the given hours, even on a weekend or holiday.</summary>
    Workday,
}

/// <summary>
/// Weekly hours for one weekday, valid on the dates <c>[ValidFrom, ValidUntil]</c> (both inclusive,
/// either open). Among the entries covering a date, the one with the latest <c>ValidFrom</c> defines
/// the day (an open start is the oldest); empty <see cref="Hours"/> make the day non-working.
/// </summary>
public sealed record WeeklyHoursEntry(IsoDayOfWeek Weekday, DayHours Hours, LocalDate? ValidFrom = null, LocalDate? ValidUntil = null)
{
    public bool Covers(LocalDate date) =>
        date.DayOfWeek == Weekday && (ValidFrom is not { } from || date >= from) && (ValidUntil is not { } until || date <= until);
}

/// <summary>
/// A deviation for one date: either an exact <see cref="Date"/>, or a <see cref="Yearly"/> day and month,
/// optionally limited to the years <c>[FromYear, UntilYear]</c> (inclusive).
/// </summary>
public sealed record SpecialDay(string Name, SpecialDayKind Kind, DayHours Hours, LocalDate? Date = null, AnnualDate? Yearly = null, int? FromYear = null, int? UntilYear = null)
{
    public bool IsExact => Date is not null;

    public bool Matches(LocalDate date)
    {
        if (Date is { } exact) return exact == date;
        if (Yearly is not { } yearly) return false;
        if (FromYear is { } from && date.Year < from) return false;
        if (UntilYear is { } until && date.Year > until) return false;
        // An AnnualDate of Feb 29 would fall on Feb 28 in common years; a yearly Feb 29 means leap years only.
        return date.Month == yearly.Month && date.Day == yearly.Day;
    }
}

/// <summary>
/// A working-time calendar as its owner wrote it: its own time zone (or none, to inherit the parent's),
/// an optional parent it derives from, and its own weekly hours and special days, which are deviations
/// from the parent's.
/// </summary>
public sealed record CalendarDefinition(
    string Id,
    string Name,
    string? TimeZone,
    string? Parent,
    IReadOnlyList<WeeklyHoursEntry> WeeklyHours,
    IReadOnlyList<SpecialDay> SpecialDays)
{
    /// <summary>The id of the calendar that always exists and that others derive from by default.</summary>
    public const string SystemId = "system";

    /// <summary>The system calendar as it is until someone changes it: Monday–Friday 09:00–17:00, UTC.</summary>
    public static CalendarDefinition DefaultSystem { get; } = new(
        SystemId,
        "System calendar",
        "UTC",
        null,
        [.. new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .Select(d => new WeeklyHoursEntry(d, DayHours.Of(new LocalSpan(9 * 3600, 17 * 3600))))],
        []);
}
