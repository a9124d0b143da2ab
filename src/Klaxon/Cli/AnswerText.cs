using System.Globalization;
using Klaxon.Model;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Cli;

/// <summary>Answers as a person reads them: UTC first, then the calendar's local time.</summary>
public static class AnswerText
{
    private static readonly LocalDateTimePattern Minutes = LocalDateTimePattern.CreateWithInvariantCulture("ddd d MMM uuuu HH:mm");
    private static readonly LocalDateTimePattern Seconds = LocalDateTimePattern.CreateWithInvariantCulture("ddd d MMM uuuu HH:mm:ss");

    /// <summary><c>2026-03-30T09:00:00Z  (Mon 30 Mar 2026 11:00 Europe/Berlin)</c></summary>
    public static string Format(AddAnswer answer) =>
        $"{answer.Result}  ({Local(IsoText.ParseLocal(answer.LocalResult))} {answer.TimeZone})";

    /// <summary><c>4h 30m (16200 s)</c></summary>
    public static string Format(BetweenAnswer answer) =>
        $"{IsoText.FormatDurationForPeople(Duration.FromTicks((long)Math.Round(answer.Seconds * NodaConstants.TicksPerSecond)))} " +
        $"({answer.Seconds.ToString(CultureInfo.InvariantCulture)} s)";

    /// <summary>One line per interval, then the total.</summary>
    public static string Format(IntervalsAnswer answer)
    {
        if (answer.Intervals.Count == 0) return "no working time in this span";
        var lines = new List<string>();
        var total = Duration.Zero;
        foreach (var interval in answer.Intervals)
        {
            var length = InstantPattern.ExtendedIso.Parse(interval.End).Value - InstantPattern.ExtendedIso.Parse(interval.Start).Value;
            total += length;
            var (start, end) = (IsoText.ParseLocal(interval.LocalStart), IsoText.ParseLocal(interval.LocalEnd));
            var local = start.Date == end.Date ? $"{Local(start)}-{Time(end)}" : $"{Local(start)} - {Local(end)}";
            lines.Add($"{interval.Start} - {interval.End}  ({local} {answer.TimeZone})  {IsoText.FormatDurationForPeople(length)}");
        }
        lines.Add($"total {IsoText.FormatDurationForPeople(total)} in {answer.Intervals.Count} interval{(answer.Intervals.Count == 1 ? "" : "s")}");
        return string.Join(Environment.NewLine, lines);
    }

    private static string Local(LocalDateTime local) => (local.Second == 0 && local.NanosecondOfSecond == 0 ? Minutes : Seconds).Format(local);

    private static string Time(LocalDateTime local) => local.TimeOfDay.ToString(local.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);
}
