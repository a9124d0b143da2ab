using Klaxon.Core.Calendars;
using Klaxon.Infrastructure;
using Klaxon.Model;
using NodaTime;

namespace Klaxon.Cli;

/// <summary>Answers from the calendars stored in a data folder (or PostgreSQL database), without a server.</summary>
public sealed class DataFolderCalendarCalculator(CalendarCatalog catalog) : ICalendarCalculator
{
    public static async Task<DataFolderCalendarCalculator> OpenAsync(StorageLocation storage, CancellationToken cancellationToken)
    {
        // Reading a folder that has no database would quietly create one with only the system calendar.
        if (storage.IsSqlite && !File.Exists(storage.SqlitePath))
            throw ProblemException.Invalid("data", $"there is no Klaxon database at {storage.SqlitePath}; run 'klaxon serve --data {storage.DataDirectory}' once, or ask a server with --server.");
        return new DataFolderCalendarCalculator(await storage.OpenCatalogAsync(SystemClock.Instance, cancellationToken));
    }

    public Task<AddAnswer> AddAsync(string calendarId, string? from, string? duration, string? days, CancellationToken cancellationToken) =>
        Task.FromResult(CalendarQuestions.Add(catalog, calendarId, from, duration, days));

    public Task<BetweenAnswer> BetweenAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken) =>
        Task.FromResult(CalendarQuestions.Between(catalog, calendarId, from, to));

    public Task<IntervalsAnswer> IntervalsAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken) =>
        Task.FromResult(CalendarQuestions.Intervals(catalog, calendarId, from, to));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
