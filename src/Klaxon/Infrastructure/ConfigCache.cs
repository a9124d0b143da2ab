using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Klaxon.Infrastructure;

/// <summary>
/// What nearly every request reads and hardly anything writes — a token's user, a caller's permissions in a
/// project, a tracker, a tracker's escalation groups — kept in memory for as long as the database's configuration
/// version (<see cref="Migrations.ConfigVersion"/>) stays the same. Triggers raise that version in the transaction
/// that changes any of it, on this node or any other, so an entry is never used after the change it depends on
/// has committed; checking the version costs one small query instead of the several each lookup would run.
/// Inside a transaction the cache is bypassed: what a transaction reads may be its own uncommitted writes.
/// A context reads the version once and reuses it until it writes something itself (<see cref="WriteWatch"/>),
/// so a request sees the configuration as it was when it first looked, plus its own changes.
/// </summary>
public sealed class ConfigCache
{
    /// <summary>More entries than this and new ones are not kept (they are read each time) until the version moves.</summary>
    public const int MaxEntries = 50_000;

    private Entries current = new(-1);

    /// <summary>
    /// The value cached under <paramref name="key"/> for the current configuration version, or what
    /// <paramref name="load"/> reads (and is then cached unless null). Values must not be changed by their readers.
    /// </summary>
    public async Task<T?> GetAsync<T>(KlaxonDbContext db, object key, Func<Task<T?>> load, CancellationToken cancellationToken) where T : class
    {
        if (db.Database.CurrentTransaction is not null) return await load();
        var version = db.ConfigVersion ??= await VersionAsync(db, cancellationToken);
        var entries = current;
        if (entries.Version != version)
        {
            entries = new Entries(version);
            current = entries;
        }
        if (entries.Values.TryGetValue(key, out var cached)) return (T)cached;
        var value = await load();
        // Nothing found is not kept: unknown tokens, say, must not fill the cache.
        if (value is not null && entries.Values.Count < MaxEntries) entries.Values.TryAdd(key, value);
        return value;
    }

    /// <summary>The database's configuration version, read on the context's connection.</summary>
    public static async Task<long> VersionAsync(KlaxonDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "SELECT version FROM config_version WHERE id = 1";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Forgets a context's configuration version when it sends a command that may write configuration: anything
    /// but a query that names one of the configuration tables (a new item's rows, say, keep it).
    /// </summary>
    public sealed class WriteWatch : DbCommandInterceptor
    {
        public static readonly WriteWatch Instance = new();

        /// <summary>Words that occur in every command that writes configuration: the last part of each configuration table's name.</summary>
        private static readonly string[] ConfigurationWords = [.. Migrations.ConfigVersion.Tables.Append("trackers").Select(t => t.Split('_')[^1]).Distinct()];

        public static bool MayWriteConfiguration(string sql) =>
            !sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
            && ConfigurationWords.Any(word => sql.Contains(word, StringComparison.OrdinalIgnoreCase));

        private static void Saw(DbCommand command, CommandEventData data)
        {
            if (data.Context is KlaxonDbContext { ConfigVersion: not null } db && MayWriteConfiguration(command.CommandText))
                db.ConfigVersion = null;
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Saw(command, eventData);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Saw(command, eventData);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Saw(command, eventData);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Saw(command, eventData);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Saw(command, eventData);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Saw(command, eventData);
            return ValueTask.FromResult(result);
        }
    }

    private sealed class Entries(long version)
    {
        public long Version { get; } = version;
        public ConcurrentDictionary<object, object> Values { get; } = new();
    }
}
