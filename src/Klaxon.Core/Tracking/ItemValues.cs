using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Core.Tracking;

/// <summary>
/// The values an item's fields may take, checked against its tracker. Values are typed as the expression
/// language types them: <c>string</c>, <c>decimal</c>, <c>Instant</c>, <c>bool</c>, a list of logins, or null.
/// Fields are named as in expressions: <c>priority</c>, <c>fields.region</c>.
/// </summary>
public static class ItemValues
{
    public const string CustomPrefix = "fields.";

    /// <summary>The built-in fields a client or an escalation action may set (status moves only by transitions).</summary>
    public static IReadOnlyList<string> Editable { get; } =
        ["summary", "description", "priority", "severity", "assignedTo", "supervisors", "startDate", "endDate", "estimatedHours", "resolution"];

    /// <summary>The built-in fields Klaxon sets itself.</summary>
    public static IReadOnlyList<string> ReadOnly { get; } = ["key", "status", "submitter", "submittedAt"];

    /// <summary>Priority runs from 1 (Highest) to 5 (Lowest).</summary>
    public const int HighestPriority = 1, LowestPriority = 5;

    /// <summary>Severity runs from 1 (most severe) to 3.</summary>
    public const int MostSevere = 1, LeastSevere = 3;

    /// <summary>
    /// Checks a value for a field and returns it in its one normal form: numbers as decimals without trailing
    /// zeros, instants to the millisecond, text trimmed at the ends with blank optional text as null, lists of
    /// logins without blanks or repeats (null as an empty list).
    /// Logins are only checked for form here: whether they may be named is a question for storage.
    /// </summary>
    public static ParseResult<object?> Check(Tracker tracker, string field, object? value)
    {
        if (field.StartsWith(CustomPrefix, StringComparison.Ordinal))
            return CheckCustom(tracker, field, value);
        var number = AsDecimal(value);
        return field switch
        {
            "summary" => value is string s && s.Trim().Length > 0
                ? Ok(s.Trim())
                : Fail(field, value is null or string ? "is required: a short text saying what the item is about." : "expected text."),
            "description" or "resolution" => value switch
            {
                null => Ok(null),
                string s => Ok(s.Trim().Length == 0 ? null : field == "description" ? s : s.Trim()),
                _ => Fail(field, "expected text."),
            },
            "priority" => value is null ? Ok(null) : WholeIn(field, number, HighestPriority, LowestPriority, "from 1 (Highest) to 5 (Lowest)"),
            "severity" => value is null ? Ok(null) : WholeIn(field, number, MostSevere, LeastSevere, "from 1 (most severe) to 3"),
            "assignedTo" or "supervisors" => CheckLogins(field, value),
            "startDate" or "endDate" => value switch
            {
                null => Ok(null),
                Instant instant => Ok(ToMilliseconds(instant)),
                _ => Fail(field, "expected a date-time such as 2026-01-05T09:00:00Z."),
            },
            "estimatedHours" => value is null ? Ok(null)
                : number is null ? Fail(field, "expected a number of hours.")
                : number < 0 ? Fail(field, $"{Text(number)} is negative; estimated hours are 0 or more.")
                : Ok(Normal(number.Value)),
            "status" => Fail(field, "changes only through a workflow transition: POST /api/v1/items/{key}/transitions with {\"transition\": NAME}."),
            _ when ReadOnly.Contains(field) => Fail(field, "is set by Klaxon and cannot be changed."),
            _ => Fail(field, $"is not a field of an item; the built-in fields are {string.Join(", ", Editable)}, and custom ones are named fields.NAME."),
        };
    }

    private static ParseResult<object?> CheckCustom(Tracker tracker, string field, object? value)
    {
        var name = field[CustomPrefix.Length..];
        var custom = tracker.Field(name);
        if (custom is null)
        {
            var known = tracker.Fields.Count == 0 ? "it has no custom fields" : "its fields are " + string.Join(", ", tracker.Fields.Select(f => f.Name));
            return Fail(field, $"is not a field of tracker {tracker.Key} ({known}).");
        }
        if (value is null) return Ok(null);
        switch (custom.Type)
        {
            case CustomFieldType.Text:
                return value is string text ? Ok(text.Trim().Length == 0 ? null : text) : Fail(field, "expected text.");
            case CustomFieldType.Number:
                return AsDecimal(value) is { } number ? Ok(Normal(number)) : Fail(field, "expected a number.");
            case CustomFieldType.DateTime:
                return value is Instant instant ? Ok(ToMilliseconds(instant)) : Fail(field, "expected a date-time such as 2026-01-05T09:00:00Z.");
            case CustomFieldType.Bool:
                return value is bool ? Ok(value) : Fail(field, "expected true or false.");
            case CustomFieldType.Choice:
                if (value is not string choice) return Fail(field, $"expected one of {string.Join(", ", custom.Choices ?? [])}.");
                return custom.Choices?.Contains(choice) == true
                    ? Ok(choice)
                    : Fail(field, $"'{choice}' is not one of the choices of {name}: {string.Join(", ", custom.Choices ?? [])}.");
            case CustomFieldType.User:
                return value is string login && login.Trim().Length > 0 ? Ok(login.Trim()) : Fail(field, "expected the login of a user.");
            default:
                throw new InvalidOperationException($"Unknown field type {custom.Type}.");
        }
    }

    private static ParseResult<object?> CheckLogins(string field, object? value)
    {
        if (value is null) return Ok(Array.Empty<string>());
        if (value is string) return Fail(field, "expected a list of logins, such as [\"alice\"].");
        if (value is not IEnumerable<string> logins) return Fail(field, "expected a list of logins.");
        var list = new List<string>();
        foreach (var login in logins)
        {
            if (string.IsNullOrWhiteSpace(login)) return Fail(field, "a login may not be empty.");
            if (!list.Contains(login.Trim())) list.Add(login.Trim());
        }
        return Ok(list);
    }

    /// <summary>The logins a value names: those of a login list, or the one of a user field.</summary>
    public static IReadOnlyList<string> Logins(object? value) => value switch
    {
        string login => [login],
        IEnumerable<string> logins => [.. logins],
        _ => [],
    };

    /// <summary>Whether a value counts as empty for a transition's required field: null, blank text or an empty list.</summary>
    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Trim().Length == 0,
        IEnumerable<string> list => !list.Any(),
        _ => false,
    };

    /// <summary>Whether two normal-form values are the same (so setting one over the other changes nothing).</summary>
    public static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (IEnumerable<string> x, IEnumerable<string> y) => x.SequenceEqual(y, StringComparer.Ordinal),
        (null, IEnumerable<string> y) => !y.Any(),
        (IEnumerable<string> x, null) => !x.Any(),
        (null, _) or (_, null) => false,
        _ when AsDecimal(a) is { } x && AsDecimal(b) is { } y => x == y,
        _ => a.Equals(b),
    };

    /// <summary>A value as history shows it: invariant numbers, ISO-8601 instants in UTC, logins separated by commas.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        Instant i => InstantPattern.ExtendedIso.Format(i),
        IEnumerable<string> list => list.Any() ? string.Join(", ", list) : null,
        _ when AsDecimal(value) is { } d => d.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>A number of any CLR numeric type as a decimal, or null when the value is not a number.</summary>
    public static decimal? AsDecimal(object? value) => value switch
    {
        decimal d => d,
        int i => i,
        long l => l,
        double d when double.IsFinite(d) && Math.Abs(d) < 7.9e28 => (decimal)d,
        float f when float.IsFinite(f) && Math.Abs(f) < 7.9e28f => (decimal)f,
        _ => null,
    };

    /// <summary>A decimal without trailing zeros (2.50 → 2.5), so equal numbers read alike in history.</summary>
    public static decimal Normal(decimal number) => number / 1.000000000000000000000000000000000m;

    /// <summary>An instant cut to the millisecond, the precision Klaxon stores.</summary>
    public static Instant ToMilliseconds(Instant instant) => Instant.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());

    private static ParseResult<object?> WholeIn(string field, decimal? number, int min, int max, string range) =>
        number is { } n && n == decimal.Truncate(n) && n >= min && n <= max
            ? Ok((decimal)(int)n)
            : Fail(field, number is null ? $"expected a whole number {range}." : $"{Text(number)} is not a {field}: use a whole number {range}.");

    private static ParseResult<object?> Ok(object? value) => ParseResult<object?>.Ok(value);

    private static ParseResult<object?> Fail(string field, string message) => ParseResult<object?>.Fail(field, message);
}
