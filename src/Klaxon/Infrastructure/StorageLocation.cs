using Klaxon.Core.Calendars;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>
/// Where Klaxon keeps its data: the SQLite file <c>klaxon.db</c> in the data folder, or a PostgreSQL database
/// when a connection string is given (the data folder then still holds the admin token).
/// </summary>
public sealed record StorageLocation(string DataDirectory, string? PostgresConnection = null)
{
    public const string SqliteFileName = "klaxon.db";

    public string SqlitePath => Path.Combine(DataDirectory, SqliteFileName);

    public bool IsSqlite => PostgresConnection is null;

    public void Configure(DbContextOptionsBuilder options)
    {
        if (PostgresConnection is { } postgres)
            options.UseNpgsql(postgres);
        else
            options.UseSqlite(new SqliteConnectionStringBuilder { DataSource = SqlitePath }.ToString()).AddInterceptors(SqliteConnectionSetup.Instance);
        options.AddInterceptors(ConfigCache.WriteWatch.Instance);
        // The migrations are written by hand, without a model snapshot to compare the model with.
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public DbContextOptions<KlaxonDbContext> Options()
    {
        var builder = new DbContextOptionsBuilder<KlaxonDbContext>();
        Configure(builder);
        return builder.Options;
    }

    /// <summary>
    /// Brings the schema up to date, creates the system calendar in an empty database, and returns a catalog
    /// holding every stored calendar.
    /// </summary>
    public async Task<CalendarCatalog> OpenCatalogAsync(IClock clock, CancellationToken cancellationToken = default)
    {
        if (IsSqlite) Directory.CreateDirectory(DataDirectory);
        await using var db = new KlaxonDbContext(Options());
        await db.Database.MigrateAsync(cancellationToken);
        // Write-ahead logging lets the CLI read while a server writes; the setting is kept in the file.
        if (IsSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

        if (!await db.Calendars.AnyAsync(c => c.Id == CalendarDefinition.SystemId, cancellationToken))
        {
            db.Calendars.Add(StoredCalendar.Create(CalendarDefinition.DefaultSystem, clock.GetCurrentInstant()));
            await db.SaveChangesAsync(cancellationToken);
        }
        var stored = await db.Calendars.AsNoTracking().ToListAsync(cancellationToken);
        return new CalendarCatalog(stored.Select(c => c.ToDefinition()));
    }
}
