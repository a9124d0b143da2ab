using System.Text.Json;
using Klaxon.Core.Tracking;
using Klaxon.Model;

namespace Klaxon.Infrastructure;

/// <summary>
/// How a tracker is kept in <c>trackers.definition</c>: its <see cref="TrackerDocument"/> in Klaxon's JSON form,
/// written from the validated <see cref="Tracker"/> so the stored text is always the normal form.
/// </summary>
public static class TrackerStorage
{
    public static string Write(Tracker tracker) => JsonSerializer.Serialize(TrackerDocument.From(tracker), KlaxonJson.Options);

    public static TrackerDocument Document(TrackerRow row) =>
        JsonSerializer.Deserialize<TrackerDocument>(row.Definition, KlaxonJson.Options)
        ?? throw new InvalidOperationException($"Tracker {row.Key} has an empty definition.");

    /// <summary>
    /// A stored tracker as Core sees it. Roles were checked when it was saved; a role deleted since then simply
    /// grants nothing, so the roles its transitions name are taken as they are.
    /// </summary>
    public static Tracker Read(TrackerRow row)
    {
        var document = Document(row);
        var roles = (document.Workflow?.Transitions ?? []).SelectMany(t => t.Roles ?? []).ToHashSet();
        var result = document.ToTracker(roles);
        return result.Success
            ? result.Value
            : throw new InvalidOperationException($"The stored definition of tracker {row.Key} is not valid: {string.Join(" ", result.Diagnostics)}");
    }
}
