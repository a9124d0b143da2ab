using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using NodaTime;

namespace Klaxon.Model;

/// <summary>
/// An item as clients see it: every built-in field (null when empty, so the shape never changes), the tracker's
/// custom fields by name, the links it has either way, and its version (also its ETag). Instants are ISO-8601 UTC.
/// </summary>
public sealed record ItemAnswer
{
    public required string Key { get; init; }
    public required string Project { get; init; }
    public required string Tracker { get; init; }
    public required string Summary { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Description { get; init; }

    public required string Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? Priority { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? Severity { get; init; }

    public required string Submitter { get; init; }
    public required string SubmittedAt { get; init; }
    public required IReadOnlyList<string> AssignedTo { get; init; }
    public required IReadOnlyList<string> Supervisors { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StartDate { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? EndDate { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? EstimatedHours { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Resolution { get; init; }

    /// <summary>Every custom field of the tracker, null when empty; date-times as ISO-8601 text.</summary>
    public required IReadOnlyDictionary<string, JsonNode?> Fields { get; init; }

    public required IReadOnlyList<LinkAnswer> Links { get; init; }
    public required int Version { get; init; }
    public required string UpdatedAt { get; init; }

    public static ItemAnswer From(ItemRow item, Tracker tracker, IReadOnlyList<LinkAnswer> links)
    {
        var values = new ItemFields(item, tracker);
        return new ItemAnswer
        {
            Key = item.Key,
            Project = item.ProjectKey,
            Tracker = item.TrackerKey,
            Summary = item.Summary,
            Description = item.Description,
            Status = item.Status,
            Priority = item.Priority,
            Severity = item.Severity,
            Submitter = item.Submitter,
            SubmittedAt = IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(item.SubmittedAt)),
            AssignedTo = ItemValues.Logins(values.Get("assignedTo")),
            Supervisors = ItemValues.Logins(values.Get("supervisors")),
            StartDate = Iso(item.StartDate),
            EndDate = Iso(item.EndDate),
            EstimatedHours = item.EstimatedHours is { } hours ? ItemValues.Normal((decimal)hours) : null,
            Resolution = item.Resolution,
            Fields = tracker.Fields.ToDictionary(f => f.Name, f => Json(values.Get(ItemValues.CustomPrefix + f.Name))),
            Links = links,
            Version = item.Version,
            UpdatedAt = IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(item.UpdatedAt)),
        };
    }

    private static string? Iso(long? milliseconds) => milliseconds is { } ms ? IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(ms)) : null;

    private static JsonNode? Json(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        decimal number => JsonValue.Create(ItemValues.Normal(number)),
        bool flag => JsonValue.Create(flag),
        Instant instant => JsonValue.Create(IsoText.FormatInstant(instant)),
        _ => JsonValue.Create(value.ToString()),
    };
}

/// <summary>
/// A link as seen from one of its items: <c>outgoing</c> when this item links to <see cref="Item"/> (an incident's
/// <c>bug-report</c>), <c>incoming</c> when <see cref="Item"/> links to this one.
/// </summary>
public sealed record LinkAnswer(string Type, string Direction, string Item, string Summary, string Status, string CreatedAt)
{
    public const string Outgoing = "outgoing", Incoming = "incoming";
}

/// <summary>One recorded change: who, when, which field, the old and new value as text, and the transition behind a status change.</summary>
public sealed record HistoryAnswer
{
    public required string At { get; init; }
    public required string Actor { get; init; }
    public required string Field { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? OldValue { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? NewValue { get; init; }

    public string? Transition { get; init; }

    public static HistoryAnswer From(HistoryRow row) => new()
    {
        At = IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(row.At)),
        Actor = row.Actor,
        Field = row.Field,
        OldValue = row.OldValue,
        NewValue = row.NewValue,
        Transition = row.Transition,
    };
}

/// <summary>A transition the caller may run now, with the requirements (field names, <c>link:TYPE</c>) the item still misses.</summary>
public sealed record TransitionAnswer(string Name, string From, string To, IReadOnlyList<string> Requires, IReadOnlyList<string> Missing);
