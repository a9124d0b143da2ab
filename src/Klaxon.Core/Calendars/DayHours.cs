using System.Globalization;
using System.Text;

namespace Klaxon.Core.Calendars;

/// <summary>
/// A half-open span of local time within one day, <c>[Start, End)</c>, in seconds since midnight.
/// <c>End</c> may be 86,400 (written <c>24:00</c>): the end of the day.
/// </summary>
public readonly record struct LocalSpan(int Start, int End)
{
    public const int SecondsPerDay = 86_400;

    public override string ToString() => $"{Format(Start)}-{Format(End)}";

    internal static string Format(int seconds) =>
        seconds % 60 == 0
            ? $"{seconds / 3600:00}:{seconds / 60 % 60:00}"
            : $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}";
}

/// <summary>
/// The working hours of one day in local time: ordered, non-overlapping spans. Empty means no work.
/// Written as a comma-separated list of <c>HH:mm-HH:mm</c> spans, e.g. <c>08:30-12:00, 13:00-17:30</c>;
/// an empty string is a day without work; <c>24:00</c> is allowed as an end.
/// </summary>
public sealed class DayHours : IEquatable<DayHours>
{
    public static readonly DayHours None = new([]);

    private DayHours(LocalSpan[] spans) => Spans = spans;

    /// <summary>The spans, sorted by start, neither overlapping nor empty.</summary>
    public IReadOnlyList<LocalSpan> Spans { get; }

    public bool IsWorking => Spans.Count > 0;

    /// <summary>Builds day hours from spans; they must be valid (see <see cref="Parse"/> for user input).</summary>
    public static DayHours Of(params LocalSpan[] spans)
    {
        var text = string.Join(",", spans.Select(s => s.ToString()));
        var parsed = Parse(text);
        return parsed.Success ? parsed.Value : throw new ArgumentException(string.Join("; ", parsed.Diagnostics), nameof(spans));
    }

    /// <summary>Reads <c>HH:mm-HH:mm[, …]</c>; diagnostics carry <paramref name="field"/>.</summary>
    public static ParseResult<DayHours> Parse(string? text, string field = "hours")
    {
        if (string.IsNullOrWhiteSpace(text)) return ParseResult<DayHours>.Ok(None);
        var spans = new List<LocalSpan>();
        var parts = text.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            var dash = part.IndexOf('-');
            if (dash < 0)
                return ParseResult<DayHours>.Fail(field, $"'{part}' is not a span of the form HH:mm-HH:mm.");
            var start = ParseTime(part[..dash].Trim(), allowEndOfDay: false);
            var end = ParseTime(part[(dash + 1)..].Trim(), allowEndOfDay: true);
            if (start is null)
                return ParseResult<DayHours>.Fail(field, $"'{part[..dash].Trim()}' in '{part}' is not a time of day HH:mm (00:00 to 23:59).");
            if (end is null)
                return ParseResult<DayHours>.Fail(field, $"'{part[(dash + 1)..].Trim()}' in '{part}' is not a time of day HH:mm (00:00 to 24:00).");
            if (end <= start)
                return ParseResult<DayHours>.Fail(field, $"The span '{part}' ends at or before its start; its end must be after its start.");
            spans.Add(new LocalSpan(start.Value, end.Value));
        }
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (var i = 1; i < spans.Count; i++)
        {
            if (spans[i].Start < spans[i - 1].End)
                return ParseResult<DayHours>.Fail(field, $"The spans '{spans[i - 1]}' and '{spans[i]}' overlap.");
        }
        return ParseResult<DayHours>.Ok(new DayHours([.. spans]));
    }

    private static int? ParseTime(string s, bool allowEndOfDay)
    {
        var pieces = s.Split(':');
        if (pieces.Length is < 2 or > 3) return null;
        var numbers = new int[3];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length != 2 || !int.TryParse(pieces[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                return null;
        }
        var (h, m, sec) = (numbers[0], numbers[1], numbers[2]);
        if (m > 59 || sec > 59) return null;
        if (h == 24 && m == 0 && sec == 0) return allowEndOfDay ? LocalSpan.SecondsPerDay : null;
        if (h > 23) return null;
        return h * 3600 + m * 60 + sec;
    }

    /// <summary>Total working seconds in local terms (ignores DST).</summary>
    public int LocalSeconds => Spans.Sum(s => s.End - s.Start);

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var span in Spans)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append(span);
        }
        return sb.ToString();
    }

    public bool Equals(DayHours? other) => other is not null && Spans.SequenceEqual(other.Spans);

    public override bool Equals(object? obj) => Equals(obj as DayHours);

    public override int GetHashCode() => Spans.Aggregate(17, (h, s) => HashCode.Combine(h, s));
}
