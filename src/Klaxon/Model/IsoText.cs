using System.Globalization;
using System.Text;
using NodaTime;
using Klaxon.Core;
using InstantPattern = NodaTime.Text.InstantPattern;
using LocalDatePattern = NodaTime.Text.LocalDatePattern;
using LocalDateTimePattern = NodaTime.Text.LocalDateTimePattern;
using OffsetDateTimePattern = NodaTime.Text.OffsetDateTimePattern;
using PeriodPattern = NodaTime.Text.PeriodPattern;

namespace Klaxon.Model;

/// <summary>
/// How instants, durations and dates are written at the edges (REST API, CLI): ISO-8601 text read with a
/// diagnostic naming the field, and written in one canonical form.
/// </summary>
public static class IsoText
{
    /// <summary>The longest duration a question may ask about: 100 years of elapsed time.</summary>
    public static readonly Duration MaxDuration = Duration.FromDays(36_525);

    private static readonly Instant EarliestInstant = Instant.FromUtc(1, 1, 1, 0, 0);
    private static readonly Instant LatestInstant = Instant.FromUtc(9001, 1, 1, 0, 0);

    private const string InstantExample = "such as 2026-03-27T15:00:00Z or 2026-03-27T16:00:00+01:00";
    private const string DurationExample = "such as PT4H, PT30M, PT2H30M, -PT15M or P2D (a day is 24 hours)";

    private static readonly OffsetDateTimePattern[] InstantPatterns =
    [
        OffsetDateTimePattern.ExtendedIso,
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>"),
    ];

    private static readonly LocalDateTimePattern LocalPattern = LocalDateTimePattern.ExtendedIso;

    /// <summary>Reads an instant written with an offset (<c>Z</c>, <c>+01:00</c>); seconds and fractions are optional.</summary>
    public static ParseResult<Instant> ParseInstant(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
            return ParseResult<Instant>.Fail(field, $"is required: an instant with an offset, {InstantExample}.");
        var trimmed = text.Trim();
        // In a query string an unescaped '+' arrives as a space: "…T16:00:00 01:00".
        foreach (var candidate in new[] { trimmed, trimmed.Replace(' ', '+') })
        {
            foreach (var pattern in InstantPatterns)
            {
                var result = pattern.Parse(candidate);
                if (!result.Success) continue;
                var instant = result.Value.ToInstant();
                // Calendar arithmetic works on local dates a few years either side of the instants asked about.
                if (instant < EarliestInstant || instant >= LatestInstant)
                    return ParseResult<Instant>.Fail(field, $"'{text}' is outside the years 0001 to 9000 that Klaxon calculates with.");
                return ParseResult<Instant>.Ok(instant);
            }
        }
        if (LocalPattern.Parse(trimmed).Success)
            return ParseResult<Instant>.Fail(field, $"'{text}' has no offset; add Z for UTC or the offset, {InstantExample}.");
        return ParseResult<Instant>.Fail(field, $"'{text}' is not an instant; write it in ISO-8601 with an offset, {InstantExample}.");
    }

    /// <summary>
    /// Reads an ISO-8601 duration, optionally signed (<c>-PT30M</c>). Weeks and days count as 7×24 and 24 hours
    /// of elapsed time; years and months are refused because they have no fixed length.
    /// </summary>
    public static ParseResult<Duration> ParseDuration(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
            return ParseResult<Duration>.Fail(field, $"is required: an ISO-8601 duration, {DurationExample}.");
        var body = text.Trim();
        var negative = body.StartsWith('-');
        if (negative || body.StartsWith('+')) body = body[1..];
        var parsed = PeriodPattern.NormalizingIso.Parse(body);
        if (!parsed.Success)
            return ParseResult<Duration>.Fail(field, $"'{text}' is not an ISO-8601 duration; write it {DurationExample}.");
        var period = parsed.Value;
        if (period.Years != 0 || period.Months != 0)
            return ParseResult<Duration>.Fail(field, $"'{text}' has years or months, which have no fixed length; use weeks, days (24 hours each), hours, minutes and seconds.");
        var fixedLength = period.Days * 86_400L + period.Weeks * 7 * 86_400L;
        // Checked against the limit in parts first, so that absurd values cannot overflow the sum.
        if (!Within(fixedLength, MaxDuration.TotalSeconds) || !Within(period.Hours, MaxDuration.TotalHours) ||
            !Within(period.Minutes, MaxDuration.TotalMinutes) || !Within(period.Seconds, MaxDuration.TotalSeconds) ||
            !Within(period.Milliseconds, MaxDuration.TotalMilliseconds))
            return ParseResult<Duration>.Fail(field, TooLong(text));
        var duration = period.ToDuration();
        if (duration > MaxDuration || duration < -MaxDuration)
            return ParseResult<Duration>.Fail(field, TooLong(text));
        return ParseResult<Duration>.Ok(negative ? -duration : duration);
    }

    private static bool Within(long value, double limit) => value <= limit && value >= -limit;

    private static string TooLong(string text) => $"'{text}' is longer than the limit of {MaxDuration.TotalHours:0} hours (100 years).";

    /// <summary>Reads a whole number of working days, such as <c>3</c> or <c>-2</c>.</summary>
    public static ParseResult<int> ParseDays(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return ParseResult<int>.Fail(field, "is required: a whole number of working days, such as 3 or -2.");
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days))
            return ParseResult<int>.Fail(field, $"'{text}' is not a whole number of working days, such as 3 or -2.");
        if (Math.Abs(days) > 36_525)
            return ParseResult<int>.Fail(field, $"{days} is more than the limit of 36525 working days.");
        return ParseResult<int>.Ok(days);
    }

    /// <summary>Reads a date <c>YYYY-MM-DD</c> that exists.</summary>
    public static ParseResult<LocalDate> ParseDate(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return ParseResult<LocalDate>.Fail(field, "is required: a date such as 2026-03-27.");
        var result = LocalDatePattern.Iso.Parse(text.Trim());
        return result.Success
            ? ParseResult<LocalDate>.Ok(result.Value)
            : ParseResult<LocalDate>.Fail(field, $"'{text}' is not a date that exists (YYYY-MM-DD, such as 2026-03-27).");
    }

    /// <summary><c>2026-03-30T09:00:00Z</c>; fractions of a second only when there are any.</summary>
    public static string FormatInstant(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    /// <summary><c>2026-03-30T11:00:00</c>: a local date and time without offset.</summary>
    public static string FormatLocal(LocalDateTime local) => LocalPattern.Format(local);

    public static LocalDateTime ParseLocal(string text) => LocalPattern.Parse(text).GetValueOrThrow();

    public static string FormatDate(LocalDate date) => LocalDatePattern.Iso.Format(date);

    /// <summary>
    /// An ISO-8601 duration in hours, minutes and seconds (never days, which are ambiguous across DST):
    /// <c>PT4H30M</c>, <c>PT2000H</c>, <c>-PT30M</c>, <c>PT0S</c>.
    /// </summary>
    public static string FormatDuration(Duration duration)
    {
        if (duration == Duration.Zero) return "PT0S";
        var (hours, minutes, seconds, fraction) = Split(duration);
        var text = new StringBuilder(duration < Duration.Zero ? "-PT" : "PT");
        if (hours > 0) text.Append(CultureInfo.InvariantCulture, $"{hours}H");
        if (minutes > 0) text.Append(CultureInfo.InvariantCulture, $"{minutes}M");
        if (seconds > 0 || fraction.Length > 0) text.Append(CultureInfo.InvariantCulture, $"{seconds}{fraction}S");
        return text.ToString();
    }

    /// <summary>A duration as a person reads it: <c>4h 30m</c>, <c>2000h</c>, <c>-45m</c>, <c>0s</c>.</summary>
    public static string FormatDurationForPeople(Duration duration)
    {
        if (duration == Duration.Zero) return "0s";
        var (hours, minutes, seconds, fraction) = Split(duration);
        var parts = new List<string>();
        if (hours > 0) parts.Add($"{hours}h");
        if (minutes > 0) parts.Add($"{minutes}m");
        if (seconds > 0 || fraction.Length > 0) parts.Add($"{seconds}{fraction}s");
        return (duration < Duration.Zero ? "-" : "") + string.Join(" ", parts);
    }

    /// <summary>Seconds of a duration as a JSON number: whole when it is whole.</summary>
    public static double Seconds(Duration duration) => duration.BclCompatibleTicks / (double)NodaConstants.TicksPerSecond;

    private static (long Hours, long Minutes, long Seconds, string Fraction) Split(Duration duration)
    {
        var ticks = Math.Abs(duration.BclCompatibleTicks);
        var fractionTicks = ticks % NodaConstants.TicksPerSecond;
        var fraction = fractionTicks == 0 ? "" : "." + fractionTicks.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0');
        var totalSeconds = ticks / NodaConstants.TicksPerSecond;
        return (totalSeconds / 3600, totalSeconds / 60 % 60, totalSeconds % 60, fraction);
    }
}
