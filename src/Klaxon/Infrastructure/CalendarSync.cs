using Klaxon.Core.Calendars;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Infrastructure;

/// <summary>
/// Keeps this node's <see cref="CalendarCatalog"/> in step with the database, where other nodes (and
/// <c>klaxon init</c>) write calendars too. A calendar this node has not seen is read when it is first asked for;
/// a change made elsewhere arrives as PostgreSQL <c>NOTIFY klaxon_calendars</c>, which marks the catalog stale, and
/// the next schedule computation reads again whatever changed (by version).
/// </summary>
public sealed class CalendarSync(CalendarCatalog catalog)
{
    public const string Channel = "klaxon_calendars";

    private readonly Dictionary<string, int> versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool stale = true;

    /// <summary>Another node changed a calendar: the next <see cref="EnsureAsync"/> compares versions.</summary>
    public void MarkStale() => stale = true;

    /// <summary>Makes sure the catalog holds <paramref name="ids"/> and, when marked stale, every change stored since.</summary>
    public async Task EnsureAsync(KlaxonDbContext db, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        if (!stale && ids.All(id => catalog.Find(id) is not null)) return;
        await gate.WaitAsync(cancellationToken);
        try
        {
            stale = false;
            var stored = await db.Calendars.AsNoTracking().Select(c => new { c.Id, c.Version }).ToListAsync(cancellationToken);
            var changed = stored.Where(s => !versions.TryGetValue(s.Id, out var v) || v != s.Version || catalog.Find(s.Id) is null).Select(s => s.Id).ToList();
            if (changed.Count > 0)
            {
                foreach (var row in await db.Calendars.AsNoTracking().Where(c => changed.Contains(c.Id)).ToListAsync(cancellationToken))
                {
                    catalog.Put(row.ToDefinition());
                    versions[row.Id] = row.Version;
                }
            }
            foreach (var gone in versions.Keys.Except(stored.Select(s => s.Id)).ToList())
            {
                versions.Remove(gone);
                if (catalog.CheckRemove(gone).Count == 0) catalog.Remove(gone);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Tells the other nodes (on PostgreSQL) that a calendar changed.</summary>
    public static async Task NotifyAsync(KlaxonDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync($"NOTIFY {Channel}", cancellationToken);
    }
}
