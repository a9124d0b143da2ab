using Klaxon.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Tests;

/// <summary>
/// A migrated Klaxon database of its own, for tests below the HTTP API: a SQLite file in a temporary folder, or a
/// fresh PostgreSQL database (<see cref="TestPostgres.NewDatabase"/>). Its context keeps one connection open.
/// </summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private ScratchDatabase(StorageLocation storage)
    {
        Storage = storage;
        Db = new KlaxonDbContext(storage.Options());
    }

    public StorageLocation Storage { get; }

    public KlaxonDbContext Db { get; }

    public SqlDialect Dialect => ItemQuery.DialectOf(Db);

    public static async Task<ScratchDatabase> CreateAsync(bool postgres)
    {
        var folder = RunningServer.NewDataDirectory();
        Directory.CreateDirectory(folder);
        var scratch = new ScratchDatabase(new StorageLocation(folder, postgres ? TestPostgres.NewDatabase() : null));
        try
        {
            await scratch.Db.Database.MigrateAsync();
            await scratch.Db.Database.OpenConnectionAsync();
            return scratch;
        }
        catch
        {
            await scratch.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        if (Storage.PostgresConnection is { } postgres) TestPostgres.DropDatabase(postgres);
        else SqliteConnection.ClearAllPools();
        if (Directory.Exists(Storage.DataDirectory)) Directory.Delete(Storage.DataDirectory, recursive: true);
    }
}
