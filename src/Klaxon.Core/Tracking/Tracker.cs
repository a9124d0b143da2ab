using Klaxon.Core.Expressions;

namespace Klaxon.Core.Tracking;

public enum CustomFieldType
{
    Text,
    Number,
    DateTime,
    Choice,
    User,
    Bool,
}

/// <summary>A typed field a tracker adds to the built-in ones; referred to as <c>fields.NAME</c> in expressions.</summary>
/// <param name="StampOn">
/// For a date-time field: the fields (as expressions name them, such as <c>status</c> or <c>fields.workaround</c>)
/// whose change sets this field to the moment of the change. A change to an empty value or to <c>false</c> does not
/// stamp. Escalation rules anchor on such a field to act when something happens ("when the status changed").
/// </param>
public sealed record CustomField(string Name, CustomFieldType Type, IReadOnlyList<string>? Choices = null, IReadOnlyList<string>? StampOn = null)
{
    /// <summary>The fields whose change stamps this one (none for most fields).</summary>
    public IReadOnlyList<string> StampedBy => StampOn ?? [];

    public ExprType ExpressionType => Type switch
    {
        CustomFieldType.Number => ExprType.Number,
        CustomFieldType.DateTime => ExprType.DateTime,
        CustomFieldType.Bool => ExprType.Bool,
        _ => ExprType.Text,
    };
}

/// <summary>
/// A named workflow step from one status (or any, <c>*</c>) to another. Only members in one of
/// <see cref="Roles"/> may run it; with no roles it is hidden and only escalation actions run it.
/// <see cref="Requires"/> names fields that must have a value, or <c>link:TYPE</c> for a required link.
/// </summary>
public sealed record Transition(string Name, string From, string To, IReadOnlyList<string> Roles, IReadOnlyList<string> Requires)
{
    public const string AnyStatus = "*";

    public bool Hidden => Roles.Count == 0;

    public bool AppliesFrom(string? status) => From == AnyStatus || string.Equals(From, status, StringComparison.Ordinal);
}

public sealed record Workflow(IReadOnlyList<string> Statuses, string Initial, IReadOnlyList<Transition> Transitions)
{
    /// <summary>The transitions that may start from <paramref name="status"/>.</summary>
    public IEnumerable<Transition> From(string? status) => Transitions.Where(t => t.AppliesFrom(status));

    /// <summary>A transition by name that applies from <paramref name="status"/>, or null.</summary>
    public Transition? Find(string name, string? status) => From(status).FirstOrDefault(t => t.Name == name);
}

/// <summary>A kind of item (Incident, Bug, Task) in a project: its key prefix, custom fields and workflow.</summary>
/// <param name="Descriptions">
/// What values of a field mean, shown where a user picks one: field (as expressions name it, such as
/// <c>severity</c>) → value as text (<c>"1"</c>, a choice; <c>*</c> for the field as a whole) → description.
/// </param>
public sealed record Tracker(
    string Key, string Name, IReadOnlyList<CustomField> Fields, Workflow Workflow,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Descriptions = null)
{
    /// <summary>The fields an expression over this tracker's items may name.</summary>
    public FieldSchema Schema { get; } = FieldSchema.WithCustom(Fields.Select(f => new FieldInfo(f.Name, f.ExpressionType, f.Type == CustomFieldType.Choice ? f.Choices : null)));

    public CustomField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);

    /// <summary>The names of the date-time fields (built-in and custom) an escalation rule may anchor on.</summary>
    public IEnumerable<string> DateFields => Schema.Fields.Where(f => f.Type == ExprType.DateTime).Select(f => f.Name);
}
