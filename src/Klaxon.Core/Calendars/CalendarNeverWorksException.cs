using NodaTime;

namespace Klaxon.Core.Calendars;

/// <summary>
/// Thrown when an answer would need working time that the calendar never gives: no working time in a
/// whole 10-year window in the direction asked (or past the end of representable time).
/// </summary>
public sealed class CalendarNeverWorksException(string calendarId, LocalDate from, LocalDate until)
    : Exception($"Calendar '{calendarId}' has no working time between {CalendarText.FormatDate(from)} and {CalendarText.FormatDate(until)}, so the answer would never be reached.")
{
    public string CalendarId { get; } = calendarId;
}
