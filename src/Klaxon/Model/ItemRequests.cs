using System.Text.Json;
using Klaxon.Core;
using Klaxon.Core.Tracking;

namespace Klaxon.Model;

/// <summary>
/// The fields of an item as a client sends them. Only the properties present in the JSON are set: a property
/// sent as <c>null</c> clears the field, one left out leaves it as it is. Date-times are ISO-8601 text with an
/// offset; custom fields go in <see cref="Fields"/> by name.
/// </summary>
public abstract class ItemFieldsRequest
{
    private readonly List<string> sent = [];

    public string? Summary { get; init { field = value; sent.Add("summary"); } }
    public string? Description { get; init { field = value; sent.Add("description"); } }

    /// <summary>Refused: the status moves only through workflow transitions.</summary>
    public string? Status { get; init { field = value; sent.Add("status"); } }

    /// <summary>1 (Highest) to 5 (Lowest).</summary>
    public decimal? Priority { get; init { field = value; sent.Add("priority"); } }

    /// <summary>1 (most severe) to 3.</summary>
    public decimal? Severity { get; init { field = value; sent.Add("severity"); } }

    /// <summary>Logins of members of the project.</summary>
    public List<string>? AssignedTo { get; init { field = value; sent.Add("assignedTo"); } }

    /// <summary>Logins of members of the project.</summary>
    public List<string>? Supervisors { get; init { field = value; sent.Add("supervisors"); } }

    /// <summary>An instant with an offset, such as 2026-01-05T09:00:00Z.</summary>
    public string? StartDate { get; init { field = value; sent.Add("startDate"); } }

    /// <summary>An instant with an offset, such as 2026-01-05T17:00:00Z.</summary>
    public string? EndDate { get; init { field = value; sent.Add("endDate"); } }

    public decimal? EstimatedHours { get; init { field = value; sent.Add("estimatedHours"); } }
    public string? Resolution { get; init { field = value; sent.Add("resolution"); } }

    /// <summary>Custom fields by name: text, numbers, true/false, date-times as ISO-8601 text, choices and logins as text.</summary>
    public Dictionary<string, JsonElement>? Fields { get; init; }

    /// <summary>
    /// The values sent, typed for <see cref="ItemValues.Check"/> and keyed as expressions name fields
    /// (<c>fields.region</c>); a date-time that cannot be read or a custom value of the wrong JSON kind is a
    /// diagnostic naming the field. Whether each value fits its field is checked later, by the change itself.
    /// </summary>
    public ParseResult<Dictionary<string, object?>> ToValues(Tracker tracker)
    {
        var errors = new List<Diagnostic>();
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in sent)
        {
            values[name] = name switch
            {
                "summary" => Summary,
                "description" => Description,
                "status" => Status,
                "priority" => Priority,
                "severity" => Severity,
                "assignedTo" => AssignedTo,
                "supervisors" => Supervisors,
                "startDate" => ReadInstant(StartDate, name, errors),
                "endDate" => ReadInstant(EndDate, name, errors),
                "estimatedHours" => EstimatedHours,
                "resolution" => Resolution,
                _ => throw new InvalidOperationException($"Unknown request property {name}."),
            };
        }
        foreach (var (name, json) in Fields ?? [])
        {
            var key = ItemValues.CustomPrefix + name;
            values[key] = tracker.Field(name)?.Type switch
            {
                _ when json.ValueKind == JsonValueKind.Null => null,
                // Left for the check to name as an unknown field.
                null => json.ToString(),
                CustomFieldType.Number => json.ValueKind == JsonValueKind.Number && json.TryGetDecimal(out var number)
                    ? number
                    : Wrong(key, "expected a number.", errors),
                CustomFieldType.Bool => json.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? json.GetBoolean()
                    : Wrong(key, "expected true or false.", errors),
                CustomFieldType.DateTime => json.ValueKind == JsonValueKind.String
                    ? ReadInstant(json.GetString(), key, errors)
                    : Wrong(key, "expected a date-time as text, such as \"2026-01-05T09:00:00Z\".", errors),
                _ => json.ValueKind == JsonValueKind.String ? json.GetString() : Wrong(key, "expected text (a JSON string).", errors),
            };
        }
        return errors.Count > 0 ? ParseResult<Dictionary<string, object?>>.Fail(errors) : ParseResult<Dictionary<string, object?>>.Ok(values);
    }

    private static object? ReadInstant(string? text, string field, List<Diagnostic> errors)
    {
        if (text is null) return null;
        var result = IsoText.ParseInstant(text, field);
        if (result.Success) return result.Value;
        errors.AddRange(result.Diagnostics);
        return null;
    }

    private static object? Wrong(string field, string message, List<Diagnostic> errors)
    {
        errors.Add(new(field, message));
        return null;
    }
}

/// <summary>A new item: its tracker's key (such as INC) and its fields; <c>summary</c> is required.</summary>
public sealed class CreateItemRequest : ItemFieldsRequest
{
    public string? Tracker { get; init; }
}

/// <summary>A partial update of an item's fields, optionally with the version it was read at (as If-Match does).</summary>
public sealed class UpdateItemRequest : ItemFieldsRequest
{
    public int? Version { get; init; }
}

/// <summary>Runs a workflow transition by name, optionally only if the item is still at <see cref="Version"/>.</summary>
public sealed record RunTransitionRequest
{
    public string? Transition { get; init; }
    public int? Version { get; init; }
}

/// <summary>A link from the item in the path to <see cref="Item"/>, of a type such as <c>bug-report</c>.</summary>
public sealed record CreateLinkRequest
{
    public string? Type { get; init; }
    public string? Item { get; init; }
}
