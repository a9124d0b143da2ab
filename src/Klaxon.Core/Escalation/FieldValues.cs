using System.Text.Json;
using Klaxon.Core.Expressions;
using NodaTime.Text;

namespace Klaxon.Core.Escalation;

/// <summary>Reads a JSON value as a value of a field's type (decimal, string, Instant, bool, list of logins).</summary>
public static class FieldValues
{
    /// <summary>Null when the value fits; otherwise a sentence saying why not.</summary>
    public static string? FromJson(JsonElement json, FieldInfo field, out object? value)
    {
        value = null;
        if (json.ValueKind == JsonValueKind.Null) return null;
        switch (field.Type)
        {
            case ExprType.Number when json.ValueKind == JsonValueKind.Number && json.TryGetDecimal(out var d):
                value = d;
                return null;
            case ExprType.Bool when json.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = json.GetBoolean();
                return null;
            case ExprType.Text when json.ValueKind == JsonValueKind.String:
                var text = json.GetString()!;
                if (field.Choices is { } choices && !choices.Contains(text))
                    return $"\"{text}\" is not a choice of {field.Name} ({string.Join(", ", choices)}).";
                value = text;
                return null;
            case ExprType.DateTime when json.ValueKind == JsonValueKind.String:
                var parsed = OffsetDateTimePattern.ExtendedIso.Parse(json.GetString()!);
                if (!parsed.Success) return $"'{json.GetString()}' is not a date-time such as 2026-01-05T09:00:00Z.";
                value = parsed.Value.ToInstant();
                return null;
            case ExprType.TextList when json.ValueKind == JsonValueKind.Array && json.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                value = json.EnumerateArray().Select(e => e.GetString()!).ToList();
                return null;
            default:
                return $"{json.GetRawText()} is not {Expression.Describe(field.Type)}, the type of {field.Name}.";
        }
    }
}
