using System.Collections.Concurrent;
using System.Text.Json;
using Klaxon.Core;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Escalations;

/// <summary>A stored group with its compiled plan, or the reason it cannot be compiled any more.</summary>
public sealed record LoadedGroup(EscalationGroupRow Row, EscalationGroup? Group, string? Error);

/// <summary>
/// Reads escalation groups and compiles them against their tracker, project roles and views. Compiled plans are
/// cached by everything they depend on (group, tracker and view versions), so a change anywhere is seen at once.
/// </summary>
public sealed class EscalationGroups(ConfigCache configuration)
{
    private readonly ConcurrentDictionary<(long Group, int Version, int TrackerVersion, string Filter), LoadedGroup> cache = new();

    public static EscalationGroupDocument Document(EscalationGroupRow row) =>
        JsonSerializer.Deserialize<EscalationGroupDocument>(row.Document, KlaxonJson.Options)
        ?? throw new InvalidOperationException($"Escalation group {row.Id} has an empty document.");

    /// <summary>The context a group of <paramref name="tracker"/> is checked in (users and calendars as given).</summary>
    public static async Task<EscalationContext> ContextAsync(
        KlaxonDbContext db, string projectKey, Tracker tracker, Func<string, bool> userExists, Func<string, bool> calendarExists, CancellationToken cancellationToken)
    {
        var roles = await db.Roles.AsNoTracking().Where(r => r.ProjectKey == projectKey).Select(r => r.Name).ToListAsync(cancellationToken);
        var views = await db.Views.AsNoTracking().Where(v => v.ProjectKey == projectKey && v.TrackerKey == tracker.Key && v.IsPublic)
            .ToDictionaryAsync(v => v.Id, v => v.Filter, cancellationToken);
        return new EscalationContext(tracker, roles, userExists, calendarExists, id => views.GetValueOrDefault(id));
    }

    /// <summary>The enabled groups of a tracker, compiled (a group that no longer compiles carries its error).</summary>
    public async Task<List<LoadedGroup>> ForTrackerAsync(KlaxonDbContext db, TrackerRow trackerRow, CancellationToken cancellationToken) =>
        [.. await configuration.GetAsync(db, ("groups", trackerRow.Key, trackerRow.Version), () => ReadForTrackerAsync(db, trackerRow, cancellationToken), cancellationToken) ?? []];

    private async Task<List<LoadedGroup>?> ReadForTrackerAsync(KlaxonDbContext db, TrackerRow trackerRow, CancellationToken cancellationToken)
    {
        var rows = await db.EscalationGroups.AsNoTracking().Where(g => g.TrackerKey == trackerRow.Key && g.Enabled).OrderBy(g => g.Id).ToListAsync(cancellationToken);
        if (rows.Count == 0) return [];
        var tracker = TrackerStorage.Read(trackerRow);
        EscalationContext? context = null;
        var result = new List<LoadedGroup>(rows.Count);
        foreach (var row in rows)
        {
            var document = Document(row);
            var viewFilter = "";
            if (document.View is { } viewId)
                viewFilter = await db.Views.AsNoTracking().Where(v => v.Id == viewId).Select(v => v.Filter + "\u0001" + v.IsPublic).SingleOrDefaultAsync(cancellationToken) ?? "";
            var key = (row.Id, row.Version, trackerRow.Version, viewFilter);
            if (cache.TryGetValue(key, out var loaded))
            {
                result.Add(loaded with { Row = row });
                continue;
            }
            // Users and calendars were checked when the group was saved; a user removed since is skipped when it fires.
            context ??= await ContextAsync(db, trackerRow.ProjectKey, tracker, _ => true, _ => true, cancellationToken);
            var compiled = document.ToGroup(context);
            loaded = compiled.Success
                ? new LoadedGroup(row, compiled.Value, null)
                : new LoadedGroup(row, null, "the group no longer fits its tracker: " + string.Join(" ", compiled.Diagnostics));
            cache[key] = loaded;
            result.Add(loaded);
        }
        return result;
    }
}
