using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Klaxon.Infrastructure;

/// <summary>
/// Row locks for changes that check something and then write (a role nobody holds, a group in no project, another
/// administrator left). Two such changes take turns instead of both passing their checks. A SQLite transaction holds
/// the database's write lock from its start, so only PostgreSQL needs the rows locked.
/// </summary>
public static class RowLocks
{
    /// <summary>Within the current transaction, waits for and locks the rows <paramref name="select"/> (a <c>SELECT … FOR UPDATE</c>) finds.</summary>
    public static async Task LockRowsAsync(this DatabaseFacade database, FormattableString select, CancellationToken cancellationToken)
    {
        if (database.IsNpgsql()) await database.ExecuteSqlInterpolatedAsync(select, cancellationToken);
    }
}
