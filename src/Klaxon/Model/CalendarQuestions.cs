using Klaxon.Core;
using Klaxon.Core.Calendars;
using Klaxon.Infrastructure;
using NodaTime;

namespace Klaxon.Model;

/// <summary>The instant at which an amount of working time (or a number of working days) has elapsed.</summary>
/// <param name="Result">The instant, in UTC.</param>
/// <param name="LocalResult">The same instant as local date and time in <paramref name="TimeZone"/>.</param>
public sealed record AddAnswer(string Result, string LocalResult, string TimeZone);

/// <summary>Working time between two instants, negative when the second is before the first.</summary>
public sealed record BetweenAnswer(double Seconds, string Duration);

/// <summary>The working intervals of a calendar within a span, each half-open <c>[start, end)</c>.</summary>
public sealed record IntervalsAnswer(string TimeZone, IReadOnlyList<IntervalAnswer> Intervals);

/// <param name="Start">Start instant, in UTC (inclusive).</param>
/// <param name="End">End instant, in UTC (exclusive).</param>
/// <param name="LocalStart">Start as local date and time in the calendar's zone.</param>
/// <param name="LocalEnd">End as local date and time in the calendar's zone.</param>
public sealed record IntervalAnswer(string Start, string End, string LocalStart, string LocalEnd);

/// <summary>The working hours of each date in a range, with the rule and calendar that gave them.</summary>
public sealed record DaysAnswer(string TimeZone, IReadOnlyList<DayAnswer> Days);

/// <param name="Date">The local date.</param>
/// <param name="Weekday">Monday … Sunday.</param>
/// <param name="Hours">Local working hours such as <c>09:00-12:00, 13:00-17:00</c>; empty for a day without work.</param>
/// <param name="Working">Whether the date has any working hours.</param>
/// <param name="Rule">weekly, holiday, shortened or workday.</param>
/// <param name="Calendar">The calendar in the parent chain whose entry decided the day (absent when none did).</param>
/// <param name="Name">The special day's name, for holiday, shortened and workday.</param>
public sealed record DayAnswer(string Date, string Weekday, string Hours, bool Working, string Rule, string? Calendar, string? Name);

/// <summary>
/// Working-time questions about a calendar of the catalog, asked with the values as a person or a query string
/// writes them: read with a diagnostic naming the parameter, then answered. Shared by the REST API and the CLI.
/// </summary>
public static class CalendarQuestions
{
    /// <summary>The longest span that intervals and days are listed for at once.</summary>
    public const int MaxListedDays = 366;

    /// <summary>The resolved calendar with this id; a 404 refusal when there is none.</summary>
    public static WorkingCalendar Find(CalendarCatalog catalog, string id) =>
        catalog.TryGet(id, out var calendar) ? calendar : throw ProblemException.NotFound($"There is no calendar '{id}'.");

    /// <summary>
    /// <paramref name="from"/> plus either <paramref name="duration"/> of working time, or <paramref name="days"/>
    /// working days (the same local time of day on the n-th following working day).
    /// </summary>
    public static AddAnswer Add(CalendarCatalog catalog, string id, string? from, string? duration, string? days)
    {
        var calendar = Find(catalog, id);
        var errors = new List<Diagnostic>();
        var start = IsoText.ParseInstant(from, "from").OrCollect(errors);
        if (duration is null == days is null)
        {
            errors.Add(new("duration", "give exactly one of 'duration' (working time, such as PT4H) and 'days' (working days, such as 3)."));
            ProblemException.ThrowIfAny(errors);
        }
        if (duration is not null)
        {
            var amount = IsoText.ParseDuration(duration, "duration").OrCollect(errors);
            ProblemException.ThrowIfAny(errors);
            return ToAddAnswer(calendar, calendar.Add(start, amount));
        }
        var count = IsoText.ParseDays(days, "days").OrCollect(errors);
        ProblemException.ThrowIfAny(errors);
        return ToAddAnswer(calendar, calendar.AddWorkingDays(start, count));
    }

    /// <summary>Working time in <c>[from, to)</c>; negative when <paramref name="to"/> is before <paramref name="from"/>.</summary>
    public static BetweenAnswer Between(CalendarCatalog catalog, string id, string? from, string? to)
    {
        var calendar = Find(catalog, id);
        var (start, end) = ReadSpan(from, to, allowBackwards: true);
        var duration = calendar.Between(start, end);
        return new BetweenAnswer(IsoText.Seconds(duration), IsoText.FormatDuration(duration));
    }

    /// <summary>The working intervals within <c>[from, to)</c>, at most <see cref="MaxListedDays"/> days apart.</summary>
    public static IntervalsAnswer Intervals(CalendarCatalog catalog, string id, string? from, string? to)
    {
        var calendar = Find(catalog, id);
        var (start, end) = ReadSpan(from, to, allowBackwards: false);
        if (end - start > Duration.FromDays(MaxListedDays))
            throw ProblemException.Invalid("to", $"is more than {MaxListedDays} days after 'from'; ask for at most {MaxListedDays} days at a time.");
        return new(calendar.Zone.Id, [.. calendar.WorkingIntervals(start, end).Select(i => new IntervalAnswer(
            IsoText.FormatInstant(i.Start),
            IsoText.FormatInstant(i.End),
            IsoText.FormatLocal(i.Start.InZone(calendar.Zone).LocalDateTime),
            IsoText.FormatLocal(i.End.InZone(calendar.Zone).LocalDateTime)))]);
    }

    /// <summary>Each date of <c>[from, to]</c> (both inclusive), at most <see cref="MaxListedDays"/> dates.</summary>
    public static DaysAnswer Days(CalendarCatalog catalog, string id, string? from, string? to)
    {
        var calendar = Find(catalog, id);
        var errors = new List<Diagnostic>();
        var first = IsoText.ParseDate(from, "from").OrCollect(errors);
        var last = IsoText.ParseDate(to, "to").OrCollect(errors);
        ProblemException.ThrowIfAny(errors);
        if (last < first) throw ProblemException.Invalid("to", $"{IsoText.FormatDate(last)} is before 'from' ({IsoText.FormatDate(first)}).");
        if (Period.DaysBetween(first, last) >= MaxListedDays)
            throw ProblemException.Invalid("to", $"is more than {MaxListedDays} days after 'from'; ask for at most {MaxListedDays} days at a time.");

        var days = new List<DayAnswer>();
        for (var date = first; date <= last; date = date.PlusDays(1))
        {
            var day = calendar.Day(date);
            days.Add(new DayAnswer(IsoText.FormatDate(date), date.DayOfWeek.ToString(), day.Hours.ToString(), day.Hours.IsWorking,
                day.Rule.ToString().ToLowerInvariant(), day.CalendarId, day.Name));
        }
        return new DaysAnswer(calendar.Zone.Id, days);
    }

    private static (Instant From, Instant To) ReadSpan(string? from, string? to, bool allowBackwards)
    {
        var errors = new List<Diagnostic>();
        var start = IsoText.ParseInstant(from, "from").OrCollect(errors);
        var end = IsoText.ParseInstant(to, "to").OrCollect(errors);
        ProblemException.ThrowIfAny(errors);
        if (!allowBackwards && end < start)
            throw ProblemException.Invalid("to", $"{IsoText.FormatInstant(end)} is before 'from' ({IsoText.FormatInstant(start)}).");
        return (start, end);
    }

    private static AddAnswer ToAddAnswer(WorkingCalendar calendar, Instant result) =>
        new(IsoText.FormatInstant(result), IsoText.FormatLocal(result.InZone(calendar.Zone).LocalDateTime), calendar.Zone.Id);
}
