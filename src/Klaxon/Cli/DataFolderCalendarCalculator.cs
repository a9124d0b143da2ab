using Klaxon.Core.Calendars;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
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
        // Likewise a PostgreSQL database without Klaxon's tables would get them, and a missing one would be created.
        if (!storage.IsSqlite && !await HasKlaxonSchemaAsync(storage, cancellationToken))
        {
            var where = new NpgsqlConnectionStringBuilder(storage.PostgresConnection);
            throw ProblemException.Invalid("db", $"there is no Klaxon database '{where.Database}' on {where.Host}; run 'klaxon serve --db \"…\"' on it once, or ask a server with --server.");
        }
        return new DataFolderCalendarCalculator(await storage.OpenCatalogAsync(SystemClock.Instance, cancellationToken));
    }

    private static async Task<bool> HasKlaxonSchemaAsync(StorageLocation storage, CancellationToken cancellationToken)
    {
        await using var db = new KlaxonDbContext(storage.Options());
        try
        {
            return (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return false;
        }
    }

    public Task<AddAnswer> AddAsync(string calendarId, string? from, string? duration, string? days, CancellationToken cancellationToken) =>
        Task.FromResult(CalendarQuestions.Add(catalog, calendarId, from, duration, days));

    public Task<BetweenAnswer> BetweenAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken) =>
        Task.FromResult(CalendarQuestions.Between(catalog, calendarId, from, to));

    public Task<IntervalsAnswer> IntervalsAsync(string calendarId, string? from, string? to, CancellationToken cancellationToken) =>
        Task.FromResult(CalendarQuestions.Intervals(catalog, calendarId, from, to));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
