using Klaxon.Model;

namespace Klaxon.Cli;

/// <summary>
/// Where <c>klaxon calendar</c> gets its answers: a running server, or the data folder read directly. Values are
/// passed as the person wrote them, so both give the same answers and the same messages.
/// </summary>
public interface ICalendarCalculator : IAsyncDisposable
{
    Task<AddAnswer> AddAsync(string calendarId, string? from, string? duration, string? days, CancellationToken cancellationToken);

    Task<BetweenAnswer> BetweenAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken);

    Task<IntervalsAnswer> IntervalsAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken);
}
