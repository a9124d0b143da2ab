using Klaxon.Core.Tracking;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>The links of items as clients see them: both ways, leaving out items of projects the caller may not view.</summary>
public static class ItemLinks
{
    /// <summary>
    /// The links of <paramref name="rows"/> by item id (items without links are absent): outgoing first, then
    /// incoming, each ordered by type and the other item's key. The rows' own projects count as visible.
    /// </summary>
    public static async Task<Dictionary<long, List<LinkAnswer>>> VisibleAsync(
        KlaxonDbContext db, Access access, IReadOnlyCollection<ItemRow> rows, CancellationToken cancellationToken = default)
    {
        var answers = new Dictionary<long, List<LinkAnswer>>();
        if (rows.Count == 0) return answers;
        var ids = rows.Select(r => r.Id).ToList();
        var outgoing = await (
            from link in db.Links.AsNoTracking()
            where ids.Contains(link.ItemId)
            join other in db.Items.AsNoTracking() on link.TargetItemId equals other.Id
            select new { Of = link.ItemId, link.Type, link.CreatedAt, other.Key, other.Summary, other.Status, other.ProjectKey, other.TrackerKey, other.Number }).ToListAsync(cancellationToken);
        var incoming = await (
            from link in db.Links.AsNoTracking()
            where ids.Contains(link.TargetItemId)
            join other in db.Items.AsNoTracking() on link.ItemId equals other.Id
            select new { Of = link.TargetItemId, link.Type, link.CreatedAt, other.Key, other.Summary, other.Status, other.ProjectKey, other.TrackerKey, other.Number }).ToListAsync(cancellationToken);
        if (outgoing.Count == 0 && incoming.Count == 0) return answers;

        var visible = rows.Select(r => r.ProjectKey).Distinct().ToDictionary(p => p, _ => true);
        foreach (var (direction, links) in new[] { (LinkAnswer.Outgoing, outgoing), (LinkAnswer.Incoming, incoming) })
        {
            foreach (var link in links.OrderBy(l => l.Type, StringComparer.Ordinal).ThenBy(l => l.TrackerKey, StringComparer.Ordinal).ThenBy(l => l.Number))
            {
                if (!visible.TryGetValue(link.ProjectKey, out var mayView))
                    visible[link.ProjectKey] = mayView = (await access.PermissionsAsync(link.ProjectKey, cancellationToken)).Contains(Permissions.ViewItems);
                if (!mayView) continue;
                if (!answers.TryGetValue(link.Of, out var list)) answers[link.Of] = list = [];
                list.Add(new LinkAnswer(link.Type, direction, link.Key, link.Summary, link.Status, IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(link.CreatedAt))));
            }
        }
        return answers;
    }

    /// <summary>The links of one item (see <see cref="VisibleAsync(KlaxonDbContext, Access, IReadOnlyCollection{ItemRow}, CancellationToken)"/>).</summary>
    public static async Task<List<LinkAnswer>> VisibleAsync(KlaxonDbContext db, Access access, ItemRow item, CancellationToken cancellationToken = default) =>
        (await VisibleAsync(db, access, [item], cancellationToken)).GetValueOrDefault(item.Id) ?? [];
}
