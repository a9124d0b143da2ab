using System.Text.Json;
using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>
/// A stored item seen by the expression language: built-in columns and custom fields as typed values
/// (decimal numbers, Instants, lists of logins), matching what <see cref="ItemFilterSql"/> reads in SQL.
/// </summary>
public sealed class ItemFields : IFieldValues
{
    private readonly ItemRow item;
    private readonly Tracker tracker;
    private Dictionary<string, JsonElement>? custom;

    public ItemFields(ItemRow item, Tracker tracker)
    {
        this.item = item;
        this.tracker = tracker;
    }

    public object? Get(string field) => field switch
    {
        "key" => item.Key,
        "summary" => item.Summary,
        "description" => item.Description,
        "status" => item.Status,
        "priority" => (decimal?)item.Priority,
        "severity" => (decimal?)item.Severity,
        "submitter" => item.Submitter,
        "submittedAt" => Instant.FromUnixTimeMilliseconds(item.SubmittedAt),
        "assignedTo" => Logins(item.AssignedTo),
        "supervisors" => Logins(item.Supervisors),
        "startDate" => item.StartDate is { } s ? Instant.FromUnixTimeMilliseconds(s) : null,
        "endDate" => item.EndDate is { } e ? Instant.FromUnixTimeMilliseconds(e) : null,
        "estimatedHours" => item.EstimatedHours is { } h ? (decimal)h : null,
        "resolution" => item.Resolution,
        _ when field.StartsWith("fields.", StringComparison.Ordinal) => Custom(field["fields.".Length..]),
        _ => null,
    };

    private static IReadOnlyList<string> Logins(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    private object? Custom(string name)
    {
        custom ??= JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(item.Fields) ?? [];
        if (!custom.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return tracker.Field(name)?.Type switch
        {
            CustomFieldType.Number => value.GetDecimal(),
            CustomFieldType.DateTime => Instant.FromUnixTimeMilliseconds(value.GetInt64()),
            CustomFieldType.Bool => value.GetBoolean(),
            null => null,
            _ => value.GetString(),
        };
    }
}
