using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Core.Calendars;

/// <summary>
/// A calendar in its wire form (REST API, CLI, export files): every value a string or number as a
/// person writes it. <see cref="ToDefinition"/> reads it with a diagnostic per wrong field.
/// </summary>
public sealed record CalendarDocument
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? TimeZone { get; init; }
    public string? Parent { get; init; }
    public List<WeeklyHoursDocument>? WeeklyHours { get; init; }
    public List<SpecialDayDocument>? SpecialDays { get; init; }

    public static CalendarDocument From(CalendarDefinition d) => new()
    {
        Id = d.Id,
        Name = d.Name,
        TimeZone = d.TimeZone,
        Parent = d.Parent,
        WeeklyHours = [.. d.WeeklyHours.Select(w => new WeeklyHoursDocument
        {
            Weekday = w.Weekday.ToString(),
            Hours = w.Hours.ToString(),
            ValidFrom = w.ValidFrom is { } f ? CalendarText.FormatDate(f) : null,
            ValidUntil = w.ValidUntil is { } u ? CalendarText.FormatDate(u) : null,
        })],
        SpecialDays = [.. d.SpecialDays.Select(s => new SpecialDayDocument
        {
            Name = s.Name,
            Date = s.Date is { } date ? CalendarText.FormatDate(date) : null,
            Yearly = s.Yearly is { } y ? $"{y.Month:00}-{y.Day:00}" : null,
            FromYear = s.FromYear,
            UntilYear = s.UntilYear,
            Kind = s.Kind.ToString().ToLowerInvariant(),
            Hours = s.Kind == SpecialDayKind.Holiday ? null : s.Hours.ToString(),
        })],
    };

    /// <summary>
    /// Checks everything that can be checked about this calendar on its own (not its parent's existence,
    /// which <see cref="CalendarCatalog"/> checks). <paramref name="idFromRoute"/> fills a missing id.
    /// </summary>
    public ParseResult<CalendarDefinition> ToDefinition(string? idFromRoute = null)
    {
        var errors = new List<Diagnostic>();
        var id = Id ?? idFromRoute;
        if (string.IsNullOrWhiteSpace(id))
            errors.Add(new("id", "is required."));
        else if (!CalendarText.IsValidId(id))
            errors.Add(new("id", $"'{id}' is not a valid id: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit."));
        else if (idFromRoute is not null && Id is not null && Id != idFromRoute)
            errors.Add(new("id", $"'{Id}' does not match the id in the address, '{idFromRoute}'."));

        if (string.IsNullOrWhiteSpace(Name)) errors.Add(new("name", "is required."));

        if (TimeZone is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone) is null)
            errors.Add(new("timeZone", $"'{TimeZone}' is not a known IANA time zone (for example Europe/Berlin, America/New_York, UTC)."));
        if (TimeZone is null && string.IsNullOrWhiteSpace(Parent))
            errors.Add(new("timeZone", "is required for a calendar without a parent."));
        if (Parent is not null && string.IsNullOrWhiteSpace(Parent))
            errors.Add(new("parent", "must be a calendar id or absent."));

        var weekly = new List<WeeklyHoursEntry>();
        for (var i = 0; i < (WeeklyHours?.Count ?? 0); i++)
        {
            var entry = WeeklyHours![i].Read($"weeklyHours[{i}]", errors);
            if (entry is null) continue;
            var clash = weekly.FindIndex(w => w.Weekday == entry.Weekday && w.ValidFrom == entry.ValidFrom);
            if (clash >= 0)
                errors.Add(new($"weeklyHours[{i}]", $"{entry.Weekday} with validFrom {(entry.ValidFrom is { } f ? CalendarText.FormatDate(f) : "open")} is already defined by weeklyHours[{clash}]; give one of them another validFrom."));
            weekly.Add(entry);
        }

        var special = new List<SpecialDay>();
        for (var i = 0; i < (SpecialDays?.Count ?? 0); i++)
        {
            var day = SpecialDays![i].Read($"specialDays[{i}]", errors);
            if (day is null) continue;
            var clash = special.FindIndex(s => Collides(s, day));
            if (clash >= 0)
                errors.Add(new($"specialDays[{i}]", $"'{day.Name}' falls on the same date as specialDays[{clash}] ('{special[clash].Name}') in at least one year; each date may have one entry per calendar."));
            special.Add(day);
        }

        return errors.Count > 0
            ? ParseResult<CalendarDefinition>.Fail(errors)
            : ParseResult<CalendarDefinition>.Ok(new CalendarDefinition(id!, Name!.Trim(), TimeZone, Parent, weekly, special));
    }

    private static bool Collides(SpecialDay a, SpecialDay b)
    {
        if (a.IsExact != b.IsExact) return false;
        if (a.IsExact) return a.Date == b.Date;
        if (a.Yearly != b.Yearly) return false;
        var (aFrom, aUntil) = (a.FromYear ?? int.MinValue, a.UntilYear ?? int.MaxValue);
        var (bFrom, bUntil) = (b.FromYear ?? int.MinValue, b.UntilYear ?? int.MaxValue);
        return aFrom <= bUntil && bFrom <= aUntil;
    }
}

public sealed record WeeklyHoursDocument
{
    public string? Weekday { get; init; }
    public string? Hours { get; init; }
    public string? ValidFrom { get; init; }
    public string? ValidUntil { get; init; }

    internal WeeklyHoursEntry? Read(string path, List<Diagnostic> errors)
    {
        var before = errors.Count;
        IsoDayOfWeek weekday = default;
        if (string.IsNullOrWhiteSpace(Weekday))
            errors.Add(new($"{path}.weekday", "is required (Monday to Sunday)."));
        else if (!CalendarText.TryParseWeekday(Weekday, out weekday))
            errors.Add(new($"{path}.weekday", $"'{Weekday}' is not a weekday; use Monday, Tuesday, … Sunday."));

        DayHours hours = DayHours.None;
        if (Hours is null)
            errors.Add(new($"{path}.hours", "is required; use \"\" for a day without work."));
        else
        {
            var parsed = DayHours.Parse(Hours, $"{path}.hours");
            if (parsed.Success) hours = parsed.Value; else errors.AddRange(parsed.Diagnostics);
        }

        var from = CalendarText.ReadDate(ValidFrom, $"{path}.validFrom", errors);
        var until = CalendarText.ReadDate(ValidUntil, $"{path}.validUntil", errors);
        if (from is { } f && until is { } u && u < f)
            errors.Add(new($"{path}.validUntil", $"{CalendarText.FormatDate(u)} is before validFrom {CalendarText.FormatDate(f)}."));

        return errors.Count > before ? null : new WeeklyHoursEntry(weekday, hours, from, until);
    }
}

public sealed record SpecialDayDocument
{
    public string? Name { get; init; }
    public string? Date { get; init; }
    public string? Yearly { get; init; }
    public int? FromYear { get; init; }
    public int? UntilYear { get; init; }
    public string? Kind { get; init; }
    public string? Hours { get; init; }

    internal SpecialDay? Read(string path, List<Diagnostic> errors)
    {
        var before = errors.Count;
        if (string.IsNullOrWhiteSpace(Name)) errors.Add(new($"{path}.name", "is required."));

        SpecialDayKind kind = default;
        if (string.IsNullOrWhiteSpace(Kind))
            errors.Add(new($"{path}.kind", "is required: holiday, shortened or workday."));
        else if (!Enum.TryParse(Kind, ignoreCase: true, out kind) || !Enum.IsDefined(kind) || Kind.Any(c => char.IsDigit(c) || c == ','))
            errors.Add(new($"{path}.kind", $"'{Kind}' is not a kind; use holiday, shortened or workday."));

        LocalDate? date = null;
        AnnualDate? yearly = null;
        if (Date is null == Yearly is null)
            errors.Add(new(path, "needs exactly one of 'date' (YYYY-MM-DD) or 'yearly' (MM-DD)."));
        else if (Date is not null)
        {
            date = CalendarText.ReadDate(Date, $"{path}.date", errors);
            if (FromYear is not null || UntilYear is not null)
                errors.Add(new($"{path}.fromYear", "fromYear and untilYear apply only to yearly days."));
        }
        else
            yearly = CalendarText.ReadAnnualDate(Yearly!, $"{path}.yearly", errors);

        if (FromYear is { } fy && UntilYear is { } uy && fy > uy)
            errors.Add(new($"{path}.fromYear", $"fromYear {fy} is after untilYear {uy}."));
        foreach (var (year, name) in new[] { (FromYear, "fromYear"), (UntilYear, "untilYear") })
        {
            if (year is < 1 or > 9999) errors.Add(new($"{path}.{name}", $"{year} is not a year between 1 and 9999."));
        }

        var hours = DayHours.None;
        if (errors.Count == before)
        {
            if (kind == SpecialDayKind.Holiday)
            {
                if (!string.IsNullOrWhiteSpace(Hours))
                    errors.Add(new($"{path}.hours", "a holiday has no hours; use kind 'shortened' or 'workday' to give hours."));
            }
            else
            {
                var parsed = DayHours.Parse(Hours, $"{path}.hours");
                if (!parsed.Success) errors.AddRange(parsed.Diagnostics);
                else if (!parsed.Value.IsWorking) errors.Add(new($"{path}.hours", $"a {kind.ToString().ToLowerInvariant()} day needs hours, such as \"09:00-13:00\"."));
                else hours = parsed.Value;
            }
        }

        return errors.Count > before ? null : new SpecialDay(Name!.Trim(), kind, hours, date, yearly, FromYear, UntilYear);
    }
}

/// <summary>How calendars write dates, weekdays and ids.</summary>
public static partial class CalendarText
{
    public static string FormatDate(LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    public static bool TryParseWeekday(string text, out IsoDayOfWeek day)
    {
        foreach (var candidate in Enum.GetValues<IsoDayOfWeek>())
        {
            if (candidate == IsoDayOfWeek.None) continue;
            var name = candidate.ToString();
            if (string.Equals(text.Trim(), name, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(text.Trim(), name[..3], StringComparison.OrdinalIgnoreCase))
            {
                day = candidate;
                return true;
            }
        }
        day = IsoDayOfWeek.None;
        return false;
    }

    internal static LocalDate? ReadDate(string? text, string field, List<Diagnostic> errors)
    {
        if (text is null) return null;
        var result = LocalDatePattern.Iso.Parse(text.Trim());
        if (result.Success) return result.Value;
        errors.Add(new(field, $"'{text}' is not a date that exists (YYYY-MM-DD)."));
        return null;
    }

    internal static AnnualDate? ReadAnnualDate(string text, string field, List<Diagnostic> errors)
    {
        var parts = text.Trim().Split('-');
        if (parts.Length == 2 &&
            int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var month) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var day) &&
            parts[0].Length == 2 && parts[1].Length == 2 &&
            month is >= 1 and <= 12 && day >= 1 && day <= CalendarSystem.Iso.GetDaysInMonth(2000, month))
        {
            return new AnnualDate(month, day);
        }
        errors.Add(new(field, $"'{text}' is not a day of the year that exists (MM-DD, such as 12-24)."));
        return null;
    }
}
