using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Klaxon.Infrastructure;

/// <summary>
/// Settings SQLite keeps per connection, applied once to each pooled connection when it is first opened:
/// <list type="bullet">
/// <item><c>synchronous=NORMAL</c>: with write-ahead logging a commit is written to the log without waiting for
/// the disk; a crash of Klaxon loses nothing, and the database stays consistent even when the machine loses power
/// (then the last commits before the loss may be missing). Waiting for the disk on every commit would cap writes
/// at the disk's flush rate.</item>
/// <item><c>busy_timeout</c>: a writer that finds another one busy waits in SQLite's own short steps instead of
/// the client library's fixed 150 ms retry.</item>
/// </list>
/// </summary>
public sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public static readonly SqliteConnectionSetup Instance = new();

    // The native handle outlives the pooled SqliteConnection objects that wrap it.
    private readonly ConditionalWeakTable<object, object> done = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite || done.TryGetValue(handle, out _)) return;
        using var command = sqlite.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        done.AddOrUpdate(handle, handle);
    }
}
