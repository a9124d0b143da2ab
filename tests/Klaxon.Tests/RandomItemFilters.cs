using System.Globalization;
using System.Text.Json;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Tests;

/// <summary>
/// Random items and random well-typed filters over them, for comparing the evaluator with the SQL translation.
/// Values cluster on a few shared instants, numbers and strings so that equalities and orderings hit often.
/// <para>
/// What is left out is only what decimal (the evaluator) and binary floating point (SQLite's REAL) make
/// ambiguous: numbers are small integers and binary fractions (0.5, 0.25, 2.25), which both represent exactly;
/// an inexact quotient (<c>priority / severity</c>, <c>hoursBetween</c>) appears only directly beside an ordering
/// operator with an exact other side, never under <c>==</c>, <c>in</c> or further arithmetic (where 1/3*3 is 1 in
/// double and 0.99…9 in decimal); division inside arithmetic is by 0, 1, 2, 4 or 8 only; durations are scaled by
/// exact numbers only. Sums stay far below 2^53.
/// </para>
/// </summary>
public sealed class RandomItemFilters(Random rng, Instant now)
{
    public const string Project = "PROP";
    public const string TrackerKey = "INC";

    public static Tracker Tracker { get; } = new(TrackerKey, "Incident",
    [
        new CustomField("region", CustomFieldType.Choice, ["EMEA", "APAC", "AMER"]),
        new CustomField("note", CustomFieldType.Text),
        new CustomField("cost", CustomFieldType.Number),
        new CustomField("due", CustomFieldType.DateTime),
        new CustomField("vip", CustomFieldType.Bool),
        new CustomField("owner", CustomFieldType.User),
    ], new Workflow(["New", "Open", "Closed"], "New", []));

    private static readonly string[] Statuses = ["New", "Open", "Closed", "new"];
    private static readonly string[] Logins = ["ann", "bob", "cy", "Ann"];
    private static readonly string[] Words = ["", "New", "Open", "a", "B", "b", "ann", "x y", "it's", "say \"hi\"", "back\\slash", "50%", "a_b", "EMEA", "zz", "New "];
    private static readonly decimal[] Numbers = [0m, 1m, 2m, 3m, 5m, 10m, 0.5m, 2.25m, 1.5m, 0.25m];
    private static readonly double?[] Hours = [null, 0, 0.5, 1.25, 2, 8, 2.5];
    private static readonly string[] Durations = ["4h", "30m", "2d", "90s", "1w", "0.5h", "0s", "36h", "1.5d"];

    private readonly Instant[] instants = MakeInstants(rng, now);

    private static Instant[] MakeInstants(Random rng, Instant now) =>
        [.. Enumerable.Range(0, 10).Select(i => now + Duration.FromHours(rng.Next(-400, 400)) + Duration.FromMilliseconds(i % 3 == 0 ? 0 : rng.Next(1000))), now];

    private T Pick<T>(IReadOnlyList<T> values) => values[rng.Next(values.Count)];

    private bool Chance(int percent) => rng.Next(100) < percent;

    private long AnInstant() => (Chance(70) ? Pick(instants) : now + Duration.FromMilliseconds(rng.NextInt64(-40L * 86_400_000, 40L * 86_400_000))).ToUnixTimeMilliseconds();

    private string Text() => Chance(60) ? Pick(Words) : new string([.. Enumerable.Range(0, rng.Next(0, 6)).Select(_ => (char)rng.Next(32, 127))]);

    private string LoginList() => JsonSerializer.Serialize(Enumerable.Range(0, rng.Next(0, 4)).Select(_ => Pick(Logins)).Distinct().ToArray());

    public ItemRow Item(int number, string project = Project, string tracker = TrackerKey)
    {
        var fields = new Dictionary<string, object?>();
        if (Chance(80)) fields["region"] = Chance(85) ? Pick(Tracker.Fields[0].Choices!) : null;
        if (Chance(80)) fields["note"] = Chance(85) ? Text() : null;
        if (Chance(80)) fields["cost"] = Chance(85) ? Pick(Numbers) * (Chance(20) ? -1 : 1) : null;
        if (Chance(80)) fields["due"] = Chance(85) ? AnInstant() : null;
        if (Chance(80)) fields["vip"] = Chance(85) ? Chance(50) : null;
        if (Chance(80)) fields["owner"] = Chance(85) ? Pick(Logins) : null;
        return new ItemRow
        {
            Key = $"{tracker}-{number}",
            ProjectKey = project,
            TrackerKey = tracker,
            Number = number,
            Summary = Text(),
            Description = Chance(30) ? null : Text(),
            Status = Pick(Statuses),
            Priority = Chance(20) ? null : rng.Next(1, 6),
            Severity = Chance(20) ? null : rng.Next(1, 4),
            Submitter = Pick(Logins),
            SubmittedAt = AnInstant(),
            AssignedTo = LoginList(),
            Supervisors = LoginList(),
            StartDate = Chance(30) ? null : AnInstant(),
            EndDate = Chance(50) ? null : AnInstant(),
            EstimatedHours = Pick(Hours),
            Resolution = Chance(50) ? null : Pick(["", "Fixed", "Won't fix"]),
            Fields = JsonSerializer.Serialize(fields),
            UpdatedAt = now.ToUnixTimeMilliseconds(),
        };
    }

    // ---- Filters. Every composite is parenthesised; operator spellings vary. ----

    public string Filter() => Condition(rng.Next(1, 5));

    private string Condition(int depth)
    {
        if (depth <= 0)
        {
            return rng.Next(6) switch
            {
                0 => "fields.vip",
                1 => Pick(["true", "false", "null"]),
                2 => $"({NumberField()} {Pick(Comparisons)} {Pick(Numbers).ToString(CultureInfo.InvariantCulture)})",
                3 => $"({TextField()} {Pick(Comparisons)} {Quote(Pick(Words))})",
                4 => $"({DateField()} {Pick(Comparisons)} {DateLiteral()})",
                _ => $"({Any(0)} {Pick(["is empty", "is not empty", "is null", "is not null"])})",
            };
        }
        var d = depth - 1;
        switch (rng.Next(16))
        {
            case 0:
            case 1:
                var op = Pick(Comparisons);
                if (op is "==" or "!=") return $"({Number(d).Text} {op} {Number(d).Text})";
                var (left, right) = (Number(d, inexactAllowed: true), Number(d, inexactAllowed: false));
                return Chance(50) ? $"({left.Text} {op} {right.Text})" : $"({right.Text} {op} {left.Text})";
            case 2:
                return $"({TextValue(d)} {Pick(Comparisons)} {TextValue(d)})";
            case 3:
                return $"({DateTimeValue(d)} {Pick(Comparisons)} {(Chance(30) ? DateLiteral() : DateTimeValue(d))})";
            case 4:
                return $"({DurationValue(d)} {Pick(Comparisons)} {DurationValue(d)})";
            case 5:
                var (subject, items) = rng.Next(5) switch
                {
                    0 => (Number(d).Text, Many(() => Number(d).Text)),
                    1 => (TextValue(d), Many(() => TextValue(d))),
                    2 => (DateTimeValue(d), Many(() => Chance(50) ? DateLiteral() : DateTimeValue(d))),
                    3 => (DurationValue(d), Many(() => DurationValue(d))),
                    _ => (Condition(d), Many(() => Condition(d))),
                };
                return $"({subject} {(Chance(50) ? "in" : "not in")} ({string.Join(", ", items)}))";
            case 6:
                return $"({Any(d)} {Pick(["is empty", "is not empty", "is null", "is not null"])})";
            case 7:
            case 8:
                return $"({Condition(d)} {Pick(["and", "or", "&&", "||"])} {Condition(d)})";
            case 9:
                return $"{Pick(["not ", "!"])}{Condition(d)}";
            case 10:
                return $"({Condition(d)} ? {Condition(d)} : {Condition(d)})";
            case 11:
                return $"contains({List(d)}, {TextValue(d)})";
            case 12:
                return $"coalesce({Condition(d)}, {Condition(d)})";
            case 13:
                return $"({Condition(d)} {Pick(["==", "!="])} {Condition(d)})";
            case 14:
                return $"({NullValue()} {Pick(Comparisons)} {Any(d)})";
            default:
                return "fields.vip";
        }
    }

    private static readonly string[] Comparisons = ["==", "!=", "<", "<=", ">", ">="];

    private List<string> Many(Func<string> item)
    {
        var list = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => item()).ToList();
        if (Chance(25)) list.Insert(rng.Next(list.Count + 1), "null");
        return list;
    }

    private string Any(int depth) => rng.Next(7) switch
    {
        0 => Number(depth).Text,
        1 => TextValue(depth),
        2 => DateTimeValue(depth),
        3 => DurationValue(depth),
        4 => List(depth),
        5 => Condition(depth),
        _ => NullValue(),
    };

    /// <summary>An expression of the null type: always null, whatever the item.</summary>
    private string NullValue() => rng.Next(5) switch
    {
        0 => "(true ? null : null)",
        1 => "coalesce(null, null)",
        2 => "(null + null)",
        3 => "-null",
        _ => "null",
    };

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private string DateLiteral() => Quote(Chance(20)
        ? LocalDatePattern.Iso.Format(Pick(instants).InUtc().Date)
        : InstantPattern.ExtendedIso.Format(Pick(instants)));

    private string NumberField() => Pick(["priority", "severity", "estimatedHours", "fields.cost"]);

    private string TextField() => Pick(["summary", "description", "status", "submitter", "resolution", "key", "fields.note", "fields.owner"]);

    private string DateField() => Pick(["submittedAt", "startDate", "endDate", "fields.due"]);

    /// <summary>A number expression; <c>Exact</c> when decimal and double agree on it to the last bit.</summary>
    private (string Text, bool Exact) Number(int depth, bool inexactAllowed = false)
    {
        if (depth <= 0 || Chance(25))
        {
            return rng.Next(10) switch
            {
                < 4 => (NumberField(), true),
                < 9 => (Pick(Numbers).ToString(CultureInfo.InvariantCulture), true),
                _ => ("null", true),
            };
        }
        var d = depth - 1;
        switch (rng.Next(inexactAllowed ? 11 : 9))
        {
            case 0:
            case 1:
                return ($"({Number(d).Text} {Pick(["+", "-", "*"])} {Number(d).Text})", true);
            case 2:
                return ($"-{Number(d).Text}", true);
            case 3:
                return ($"({Number(d).Text} / {Pick(["0", "1", "2", "4", "8", "0.5"])})", true);
            case 4:
                return ($"({Number(d).Text} % {Number(d).Text})", true);
            case 5:
                return ($"({Condition(d)} ? {Number(d).Text} : {(Chance(20) ? "null" : Number(d).Text)})", true);
            case 6:
                return ($"coalesce({Number(d).Text}, {Number(d).Text})", true);
            case 7:
            case 8:
                return (NumberField(), true);
            case 9:
                return ($"({Number(d).Text} / {Number(d).Text})", false);
            default:
                return ($"hoursBetween({(Chance(20) ? DateLiteral() : DateTimeValue(d))}, {DateTimeValue(d)})", false);
        }
    }

    private string TextValue(int depth)
    {
        if (depth <= 0 || Chance(40)) return Chance(50) ? TextField() : Chance(90) ? Quote(Pick(Words)) : "null";
        var d = depth - 1;
        return rng.Next(3) switch
        {
            0 => $"({Condition(d)} ? {TextValue(d)} : {TextValue(d)})",
            1 => $"coalesce({TextValue(d)}, {TextValue(d)})",
            _ => "fields.region",
        };
    }

    private string DateTimeValue(int depth)
    {
        if (depth <= 0 || Chance(30)) return Chance(85) ? DateField() : Chance(50) ? "now()" : "null";
        var d = depth - 1;
        return rng.Next(5) switch
        {
            0 => $"({DateTimeValue(d)} + {DurationValue(d)})",
            1 => $"({DateTimeValue(d)} - {DurationValue(d)})",
            2 => $"({DurationValue(d)} + {DateTimeValue(d)})",
            3 => $"({Condition(d)} ? {DateTimeValue(d)} : {DateTimeValue(d)})",
            _ => $"coalesce({DateTimeValue(d)}, {(Chance(50) ? DateLiteral() : DateTimeValue(d))})",
        };
    }

    private string DurationValue(int depth)
    {
        if (depth <= 0 || Chance(30)) return Pick(Durations);
        var d = depth - 1;
        return rng.Next(9) switch
        {
            0 or 1 => $"({DateTimeValue(d)} - {DateTimeValue(d)})",
            2 => $"({DurationValue(d)} {Pick(["+", "-"])} {DurationValue(d)})",
            3 => $"({DurationValue(d)} * {Scale(d)})",
            4 => $"({Scale(d)} * {DurationValue(d)})",
            5 => $"({DurationValue(d)} / {Scale(d)})",
            6 => $"-{DurationValue(d)}",
            7 => $"({Condition(d)} ? {DurationValue(d)} : {DurationValue(d)})",
            _ => $"coalesce({DurationValue(d)}, {DurationValue(d)})",
        };
    }

    /// <summary>A small exact number to scale a duration by.</summary>
    private string Scale(int depth) => Chance(60)
        ? Pick(["0", "1", "2", "3", "7", "0.5", "1.5", "priority", "severity", "fields.cost"])
        : $"({NumberField()} - {Pick(["1", "2", "0.5"])})";

    private string List(int depth)
    {
        if (depth <= 0 || Chance(50)) return Pick(["assignedTo", "supervisors"]);
        var d = depth - 1;
        return rng.Next(3) switch
        {
            0 => $"({Condition(d)} ? {List(d)} : {(Chance(25) ? "null" : List(d))})",
            1 => $"coalesce({List(d)}, {List(d)})",
            _ => "supervisors",
        };
    }
}
