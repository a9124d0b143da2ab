using System.Text.RegularExpressions;
using Klaxon.Core.Expressions;

namespace Klaxon.Core.Tracking;

/// <summary>A tracker in its wire form; <see cref="ToTracker"/> validates it with a diagnostic per wrong field.</summary>
public sealed partial record TrackerDocument
{
    public string? Key { get; init; }
    public string? Name { get; init; }
    public List<CustomFieldDocument>? Fields { get; init; }
    public WorkflowDocument? Workflow { get; init; }

    /// <summary>
    /// What values of a field mean (field → value → description), shown where a user picks the value; the value
    /// <c>*</c> describes the field as a whole.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>>? Descriptions { get; init; }

    [GeneratedRegex("^[A-Z][A-Z0-9]{0,9}$")]
    public static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex FieldNamePattern();

    public static TrackerDocument From(Tracker t) => new()
    {
        Key = t.Key,
        Name = t.Name,
        Fields = [.. t.Fields.Select(f => new CustomFieldDocument { Name = f.Name, Type = FieldTypeName(f.Type), Choices = f.Choices?.ToList(), StampOn = f.StampOn?.ToList() })],
        Workflow = new WorkflowDocument
        {
            Statuses = [.. t.Workflow.Statuses],
            Initial = t.Workflow.Initial,
            Transitions = [.. t.Workflow.Transitions.Select(x => new TransitionDocument { Name = x.Name, From = x.From, To = x.To, Roles = [.. x.Roles], Requires = [.. x.Requires] })],
        },
        Descriptions = t.Descriptions?.ToDictionary(d => d.Key, d => d.Value.ToDictionary(v => v.Key, v => v.Value)),
    };

    public static string FieldTypeName(CustomFieldType type) => type == CustomFieldType.DateTime ? "datetime" : type.ToString().ToLowerInvariant();

    /// <summary>Validates the tracker; <paramref name="roles"/> are the project's role names that transitions may grant.</summary>
    public ParseResult<Tracker> ToTracker(IReadOnlyCollection<string> roles)
    {
        var errors = new List<Diagnostic>();
        if (string.IsNullOrWhiteSpace(Key)) errors.Add(new("key", "is required (capital letters and digits, such as INC)."));
        else if (!KeyPattern().IsMatch(Key)) errors.Add(new("key", $"'{Key}' is not a tracker key: use 1 to 10 capital letters and digits, starting with a letter (such as INC)."));
        if (string.IsNullOrWhiteSpace(Name)) errors.Add(new("name", "is required."));

        var fields = new List<CustomField>();
        for (var i = 0; i < (Fields?.Count ?? 0); i++)
        {
            var f = Fields![i];
            var path = $"fields[{i}]";
            if (string.IsNullOrWhiteSpace(f.Name) || !FieldNamePattern().IsMatch(f.Name))
            {
                errors.Add(new($"{path}.name", $"'{f.Name}' is not a field name: use letters, digits and '_', starting with a letter."));
                continue;
            }
            if (fields.Any(x => x.Name == f.Name)) errors.Add(new($"{path}.name", $"the field '{f.Name}' is defined twice."));
            var type = f.Type?.Trim().ToLowerInvariant() switch
            {
                "text" or "string" => CustomFieldType.Text,
                "number" => CustomFieldType.Number,
                "datetime" or "date" or "date-time" => CustomFieldType.DateTime,
                "choice" => CustomFieldType.Choice,
                "user" => CustomFieldType.User,
                "bool" or "boolean" => (CustomFieldType?)CustomFieldType.Bool,
                _ => null,
            };
            if (type is null)
            {
                errors.Add(new($"{path}.type", $"'{f.Type}' is not a field type; use text, number, datetime, choice, user or bool."));
                continue;
            }
            List<string>? choices = null;
            if (type == CustomFieldType.Choice)
            {
                choices = f.Choices?.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.Trim()).ToList();
                if (choices is null || choices.Count == 0) errors.Add(new($"{path}.choices", "a choice field needs at least one choice."));
                else if (choices.Distinct().Count() != choices.Count) errors.Add(new($"{path}.choices", "each choice may appear once."));
            }
            else if (f.Choices is { Count: > 0 })
                errors.Add(new($"{path}.choices", $"only choice fields have choices; '{f.Name}' is {f.Type}."));
            if (f.StampOn is { Count: > 0 } && type != CustomFieldType.DateTime)
                errors.Add(new($"{path}.stampOn", $"only datetime fields are stamped; '{f.Name}' is {f.Type}."));
            fields.Add(new CustomField(f.Name, type.Value, choices, f.StampOn is { Count: > 0 } ? [.. f.StampOn] : null));
        }
        var schema = FieldSchema.WithCustom(fields.Select(f => new FieldInfo(f.Name, f.ExpressionType)));
        for (var i = 0; i < fields.Count; i++)
        {
            foreach (var stampedBy in fields[i].StampedBy)
            {
                var path = $"fields[{Fields!.FindIndex(d => d.Name == fields[i].Name)}].stampOn";
                if (stampedBy == ItemValues.CustomPrefix + fields[i].Name) errors.Add(new(path, $"'{fields[i].Name}' cannot stamp itself."));
                else if (schema.Find(stampedBy) is null || stampedBy is "key" or "submittedAt" or "submitter")
                    errors.Add(new(path, $"'{stampedBy}' is not a field whose changes can stamp (such as status or fields.workaround)."));
            }
        }

        var workflow = ReadWorkflow(fields, roles, errors);
        var descriptions = ReadDescriptions(fields, schema, errors);
        return errors.Count > 0 || workflow is null
            ? ParseResult<Tracker>.Fail(errors.Count > 0 ? errors : [new("workflow", "is required.")])
            : ParseResult<Tracker>.Ok(new Tracker(Key!, Name!.Trim(), fields, workflow, descriptions));
    }

    /// <summary>Descriptions may describe built-in or custom fields; a choice field's values must be among its choices.</summary>
    private Dictionary<string, IReadOnlyDictionary<string, string>>? ReadDescriptions(List<CustomField> fields, FieldSchema schema, List<Diagnostic> errors)
    {
        if (Descriptions is not { Count: > 0 }) return null;
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (field, values) in Descriptions)
        {
            var path = $"descriptions.{field}";
            if (schema.Find(field) is null)
            {
                errors.Add(new(path, $"'{field}' is not a field of this tracker."));
                continue;
            }
            var custom = field.StartsWith(ItemValues.CustomPrefix, StringComparison.Ordinal) ? fields.FirstOrDefault(f => ItemValues.CustomPrefix + f.Name == field) : null;
            var checkedValues = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (value, text) in values ?? [])
            {
                if (custom?.Choices is { } choices && value != "*" && !choices.Contains(value))
                    errors.Add(new($"{path}.{value}", $"'{value}' is not a choice of {field} ({string.Join(", ", choices)})."));
                else if (string.IsNullOrWhiteSpace(text))
                    errors.Add(new($"{path}.{value}", "a description needs text."));
                else checkedValues[value] = text.Trim();
            }
            result[field] = checkedValues;
        }
        return result;
    }

    private Workflow? ReadWorkflow(List<CustomField> fields, IReadOnlyCollection<string> roles, List<Diagnostic> errors)
    {
        if (Workflow is null)
        {
            errors.Add(new("workflow", "is required: {\"statuses\": [...], \"initial\": \"New\", \"transitions\": [...]}."));
            return null;
        }
        var statuses = (Workflow.Statuses ?? []).Select(s => s?.Trim() ?? "").ToList();
        if (statuses.Count == 0) errors.Add(new("workflow.statuses", "needs at least one status."));
        if (statuses.Any(s => s.Length == 0 || s == Transition.AnyStatus)) errors.Add(new("workflow.statuses", "a status needs a name (and '*' is reserved)."));
        foreach (var twice in statuses.GroupBy(s => s).Where(g => g.Count() > 1))
            errors.Add(new("workflow.statuses", $"the status '{twice.Key}' appears twice."));
        if (string.IsNullOrWhiteSpace(Workflow.Initial)) errors.Add(new("workflow.initial", "is required: the status of a new item."));
        else if (!statuses.Contains(Workflow.Initial)) errors.Add(new("workflow.initial", $"'{Workflow.Initial}' is not one of the statuses ({string.Join(", ", statuses)})."));

        var schema = FieldSchema.WithCustom(fields.Select(f => new FieldInfo(f.Name, f.ExpressionType)));
        var transitions = new List<Transition>();
        for (var i = 0; i < (Workflow.Transitions?.Count ?? 0); i++)
        {
            var t = Workflow.Transitions![i];
            var path = $"workflow.transitions[{i}]";
            var before = errors.Count;
            if (string.IsNullOrWhiteSpace(t.Name)) errors.Add(new($"{path}.name", "is required."));
            if (string.IsNullOrWhiteSpace(t.From)) errors.Add(new($"{path}.from", "is required (a status, or '*' for any)."));
            else if (t.From != Transition.AnyStatus && !statuses.Contains(t.From)) errors.Add(new($"{path}.from", $"'{t.From}' is not one of the statuses ({string.Join(", ", statuses)})."));
            if (string.IsNullOrWhiteSpace(t.To)) errors.Add(new($"{path}.to", "is required."));
            else if (!statuses.Contains(t.To)) errors.Add(new($"{path}.to", $"'{t.To}' is not one of the statuses ({string.Join(", ", statuses)})."));
            foreach (var role in t.Roles ?? [])
            {
                if (!roles.Contains(role)) errors.Add(new($"{path}.roles", $"'{role}' is not a role of this project ({string.Join(", ", roles)})."));
            }
            foreach (var required in t.Requires ?? [])
            {
                if (required.StartsWith("link:", StringComparison.Ordinal) ? required.Length == 5 : schema.Find(required) is null)
                    errors.Add(new($"{path}.requires", $"'{required}' is neither a field of this tracker nor 'link:TYPE' (such as link:bug-report)."));
            }
            if (errors.Count > before) continue;
            if (transitions.Any(x => x.Name == t.Name && (x.From == t.From || x.From == Transition.AnyStatus || t.From == Transition.AnyStatus)))
            {
                errors.Add(new($"{path}.name", $"a transition '{t.Name}' from '{t.From}' already exists."));
                continue;
            }
            transitions.Add(new Transition(t.Name!.Trim(), t.From!, t.To!, [.. (t.Roles ?? [])], [.. (t.Requires ?? [])]));
        }
        return new Workflow(statuses, Workflow.Initial ?? "", transitions);
    }
}

public sealed record CustomFieldDocument
{
    public string? Name { get; init; }
    public string? Type { get; init; }
    public List<string>? Choices { get; init; }

    /// <summary>For a datetime field: the fields whose change sets it to the moment of the change (see <see cref="CustomField.StampOn"/>).</summary>
    public List<string>? StampOn { get; init; }
}

public sealed record WorkflowDocument
{
    public List<string>? Statuses { get; init; }
    public string? Initial { get; init; }
    public List<TransitionDocument>? Transitions { get; init; }
}

public sealed record TransitionDocument
{
    public string? Name { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public List<string>? Roles { get; init; }
    public List<string>? Requires { get; init; }
}
