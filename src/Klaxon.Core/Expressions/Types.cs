namespace Klaxon.Core.Expressions;

/// <summary>The type of a value in the expression language.</summary>
public enum ExprType
{
    /// <summary>The type of the literal <c>null</c>; it fits every other type.</summary>
    Null,
    Bool,

    /// <summary>A decimal number (priority, severity, estimated hours, custom numbers).</summary>
    Number,

    /// <summary>Text, including status, choices and user logins.</summary>
    Text,

    /// <summary>A moment in time (NodaTime <c>Instant</c>): submittedAt, startDate, custom date fields.</summary>
    DateTime,

    /// <summary>Elapsed time (NodaTime <c>Duration</c>): literals like <c>4h</c>, differences of date-times.</summary>
    Duration,

    /// <summary>A list of user logins (assignedTo, supervisors).</summary>
    TextList,

    /// <summary>Marks a sub-expression that already has an error, so one mistake is reported once.</summary>
    Error,
}

/// <summary>A field an expression may name, with its type and, for choice fields, the allowed values.</summary>
public sealed record FieldInfo(string Name, ExprType Type, IReadOnlyList<string>? Choices = null);

/// <summary>The fields an expression may refer to, e.g. a tracker's built-in and custom fields.</summary>
public sealed class FieldSchema
{
    private readonly Dictionary<string, FieldInfo> fields;

    public FieldSchema(IEnumerable<FieldInfo> fields) => this.fields = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public IEnumerable<FieldInfo> Fields => fields.Values;

    public FieldInfo? Find(string name) => fields.GetValueOrDefault(name);

    /// <summary>The built-in fields every item has (DESIGN.md, "Trackers, items, workflow, views").</summary>
    public static IReadOnlyList<FieldInfo> BuiltIn { get; } =
    [
        new("key", ExprType.Text),
        new("summary", ExprType.Text),
        new("description", ExprType.Text),
        new("status", ExprType.Text),
        new("priority", ExprType.Number),
        new("severity", ExprType.Number),
        new("submitter", ExprType.Text),
        new("submittedAt", ExprType.DateTime),
        new("assignedTo", ExprType.TextList),
        new("supervisors", ExprType.TextList),
        new("startDate", ExprType.DateTime),
        new("endDate", ExprType.DateTime),
        new("estimatedHours", ExprType.Number),
        new("resolution", ExprType.Text),
    ];

    /// <summary>The built-in fields plus custom ones, named <c>fields.NAME</c>.</summary>
    public static FieldSchema WithCustom(IEnumerable<FieldInfo> custom) =>
        new(BuiltIn.Concat(custom.Select(c => c with { Name = "fields." + c.Name })));
}

/// <summary>Where an expression reads field values. Values are null, bool, decimal, string, Instant, Duration or IReadOnlyList&lt;string&gt;.</summary>
public interface IFieldValues
{
    object? Get(string field);
}

/// <summary>Field values held in a dictionary (tests, previews).</summary>
public sealed class DictionaryFieldValues(IReadOnlyDictionary<string, object?> values) : IFieldValues
{
    public object? Get(string field) => values.GetValueOrDefault(field);
}
