using System.Globalization;
using System.Text.Json;
using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;

namespace Klaxon.Core.Escalation;

/// <summary>What a group's document is checked against: the tracker, the project's roles, users, calendars and public views.</summary>
public sealed record EscalationContext(
    Tracker Tracker,
    IReadOnlyCollection<string> Roles,
    Func<string, bool> UserExists,
    Func<string, bool> CalendarExists,
    Func<long, string?> PublicViewFilter);

/// <summary>An escalation group checked and compiled: the plan that schedules, and what the document said.</summary>
public sealed record EscalationGroup(string Name, string Tracker, long? View, string Filter, bool Enabled, EscalationPlan Plan);

/// <summary>
/// An escalation group in its wire form (REST API, export files). <see cref="ToGroup"/> checks every part and
/// answers with a diagnostic per wrong field, naming the rule.
/// </summary>
public sealed record EscalationGroupDocument
{
    public string? Name { get; init; }
    public string? Tracker { get; init; }
    public long? View { get; init; }
    public string? Filter { get; init; }
    public bool? Enabled { get; init; }
    public List<EscalationRuleDocument>? Rules { get; init; }

    public ParseResult<EscalationGroup> ToGroup(EscalationContext context)
    {
        var errors = new List<Diagnostic>();
        var tracker = context.Tracker;
        if (string.IsNullOrWhiteSpace(Name)) errors.Add(new("name", "is required."));
        if (string.IsNullOrWhiteSpace(Tracker)) errors.Add(new("tracker", "is required."));
        else if (Tracker != tracker.Key) errors.Add(new("tracker", $"'{Tracker}' is not the tracker '{tracker.Key}'."));

        string filter = "";
        if (View is null == Filter is null)
            errors.Add(new("filter", "give exactly one of 'view' (the id of a public view) and 'filter' (an expression)."));
        else if (View is { } viewId)
        {
            if (context.PublicViewFilter(viewId) is { } viewFilter) filter = viewFilter;
            else errors.Add(new("view", $"there is no public view {viewId} of tracker {tracker.Key}."));
        }
        else filter = Filter!;

        CompiledExpression? predicate = null;
        if (errors.Count == 0)
        {
            var compiled = Expression.Compile(filter, tracker.Schema, ExprType.Bool);
            if (compiled.Success) predicate = compiled.Expression;
            else errors.AddRange(compiled.ToDiagnostics(View is null ? "filter" : "view"));
        }

        var rules = new List<EscalationRule>();
        var count = Rules?.Count ?? 0;
        if (count == 0) errors.Add(new("rules", "a group needs at least one rule."));
        for (var i = 0; i < count; i++)
        {
            var rule = Rules![i].Read($"rules[{i}]", context, errors);
            if (rule is null) continue;
            if (rule.IsRepeat)
            {
                if (i != count - 1) errors.Add(new($"rules[{i}].anchor", "the repeat rule (afterLastEscalation) must be the last rule of its group."));
                else if (count == 1) errors.Add(new($"rules[{i}].anchor", "the repeat rule (afterLastEscalation) cannot be a group's only rule: it repeats the rules before it."));
            }
            rules.Add(rule);
        }
        if (errors.Count > 0) return ParseResult<EscalationGroup>.Fail(errors);
        return ParseResult<EscalationGroup>.Ok(new EscalationGroup(Name!.Trim(), tracker.Key, View, filter, Enabled ?? true, new EscalationPlan(Name!.Trim(), predicate!, rules)));
    }
}

public sealed record EscalationRuleDocument
{
    public string? Name { get; init; }
    public string? Anchor { get; init; }
    public string? Limit { get; init; }
    public string? Unit { get; init; }
    public string? Basis { get; init; }
    public string? Calendar { get; init; }

    /// <summary>Applies only when the anchor falls outside the working time of the rule's calendar (see <see cref="EscalationRule.OutsideWorkingTime"/>).</summary>
    public bool? OutsideWorkingTime { get; init; }
    public RuleActionsDocument? Actions { get; init; }

    internal EscalationRule? Read(string path, EscalationContext context, List<Diagnostic> errors)
    {
        var before = errors.Count;
        var tracker = context.Tracker;
        if (string.IsNullOrWhiteSpace(Name)) errors.Add(new($"{path}.name", "is required."));
        var dateFields = tracker.DateFields.ToList();
        if (string.IsNullOrWhiteSpace(Anchor))
            errors.Add(new($"{path}.anchor", $"is required: a date field ({string.Join(", ", dateFields)}) or afterLastEscalation."));
        else if (Anchor != EscalationRule.AfterLastEscalation && !dateFields.Contains(Anchor))
            errors.Add(new($"{path}.anchor", $"'{Anchor}' is not a date field of tracker {tracker.Key}; use one of {string.Join(", ", dateFields)} or afterLastEscalation."));

        LimitUnit unit = LimitUnit.Hours;
        if (Unit is not null && !TryParseUnit(Unit, out unit))
            errors.Add(new($"{path}.unit", $"'{Unit}' is not a unit; use minutes, hours or days."));
        TimeBasis basis = TimeBasis.Working;
        if (Basis is not null && !TryParseBasis(Basis, out basis))
            errors.Add(new($"{path}.basis", $"'{Basis}' is not a basis; use working or calendar."));
        if (Calendar is not null && !context.CalendarExists(Calendar))
            errors.Add(new($"{path}.calendar", $"there is no calendar '{Calendar}'."));

        CompiledExpression? limit = null;
        if (!string.IsNullOrWhiteSpace(Limit))
        {
            var compiled = Expression.Compile(Limit, tracker.Schema, ExprType.Number);
            if (compiled.Success) limit = compiled.Expression;
            else errors.AddRange(compiled.ToDiagnostics($"{path}.limit"));
        }
        if (Anchor == EscalationRule.AfterLastEscalation && errors.Count == before)
        {
            // A constant interval is checked now; one computed from fields is checked when it is scheduled.
            if (limit is null)
                errors.Add(new($"{path}.limit", "the repeat rule needs an interval of at least 60 seconds."));
            else if (limit.Tree is BoundLiteral { Value: decimal constant } || IsNegatedConstant(limit.Tree, out constant))
            {
                var seconds = constant * (unit switch { LimitUnit.Minutes => 60m, LimitUnit.Hours => 3600m, _ => 86400m });
                if (seconds < 60)
                    errors.Add(new($"{path}.limit", $"the repeat interval is {constant.ToString(CultureInfo.InvariantCulture)} {unit.ToString().ToLowerInvariant()}; it must be at least 60 seconds."));
            }
        }

        var actions = (Actions ?? new RuleActionsDocument()).Read($"{path}.actions", context, errors);
        return errors.Count > before ? null : new EscalationRule(Name!.Trim(), Anchor!, limit, unit, basis, Calendar, actions!, OutsideWorkingTime ?? false);
    }

    private static bool IsNegatedConstant(Bound tree, out decimal value)
    {
        value = 0;
        if (tree is BoundUnary { Operator: "-", Operand: BoundLiteral { Value: decimal d } }) { value = -d; return true; }
        return false;
    }

    public static bool TryParseUnit(string text, out LimitUnit unit) =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out unit) && Enum.IsDefined(unit) && !text.Any(c => char.IsDigit(c) || c == ',');

    public static bool TryParseBasis(string text, out TimeBasis basis) =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out basis) && Enum.IsDefined(basis) && !text.Any(c => char.IsDigit(c) || c == ',');
}

public sealed record RuleActionsDocument
{
    public string? Transition { get; init; }
    public Dictionary<string, JsonElement>? Set { get; init; }
    public AssignToDocument? AssignTo { get; init; }
    public NotifyDocument? Notify { get; init; }

    internal RuleActions? Read(string path, EscalationContext context, List<Diagnostic> errors)
    {
        var before = errors.Count;
        var tracker = context.Tracker;
        if (Transition is not null && !tracker.Workflow.Transitions.Any(t => t.Name == Transition))
            errors.Add(new($"{path}.transition", $"'{Transition}' is not a transition of tracker {tracker.Key} ({string.Join(", ", tracker.Workflow.Transitions.Select(t => t.Name).Distinct())})."));

        var set = new Dictionary<string, FieldAssignment>();
        foreach (var (field, value) in Set ?? [])
        {
            var info = tracker.Schema.Find(field);
            if (info is null || field is "key" or "status" or "submitter" or "submittedAt")
            {
                errors.Add(new($"{path}.set.{field}", info is null ? $"'{field}' is not a field of tracker {tracker.Key}." : $"'{field}' cannot be set by an action{(field == "status" ? "; use a transition" : "")}."));
                continue;
            }
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && text.StartsWith('='))
            {
                var compiled = Expression.Compile(text[1..], tracker.Schema, info.Type);
                if (compiled.Success) set[field] = new FieldAssignment(null, compiled.Expression);
                else errors.AddRange(compiled.ToDiagnostics($"{path}.set.{field}"));
                continue;
            }
            if (FieldValues.FromJson(value, info, out var constant) is { } problem)
                errors.Add(new($"{path}.set.{field}", problem));
            else set[field] = new FieldAssignment(constant);
        }

        string? assignRole = null;
        if (AssignTo is not null)
        {
            if (string.IsNullOrWhiteSpace(AssignTo.Role)) errors.Add(new($"{path}.assignTo.role", "is required."));
            else if (!context.Roles.Contains(AssignTo.Role)) errors.Add(new($"{path}.assignTo.role", $"'{AssignTo.Role}' is not a role of this project."));
            else assignRole = AssignTo.Role;
        }

        NotifyAction? notify = null;
        if (Notify is not null)
        {
            foreach (var role in Notify.Roles ?? [])
            {
                if (!context.Roles.Contains(role)) errors.Add(new($"{path}.notify.roles", $"'{role}' is not a role of this project ({string.Join(", ", context.Roles)})."));
            }
            foreach (var user in Notify.Users ?? [])
            {
                if (!context.UserExists(user)) errors.Add(new($"{path}.notify.users", $"there is no user '{user}'."));
            }
            for (var g = 0; g < (Notify.Groups?.Count ?? 0); g++)
            {
                var group = Notify.Groups![g];
                if (string.IsNullOrWhiteSpace(group)) errors.Add(new($"{path}.notify.groups[{g}]", "a group name is required."));
                else errors.AddRange(MessageTemplate.Check(group, tracker.Schema, $"{path}.notify.groups[{g}]"));
            }
            if (Notify.Subject is not null) errors.AddRange(MessageTemplate.Check(Notify.Subject, tracker.Schema, $"{path}.notify.subject"));
            if (Notify.Body is not null) errors.AddRange(MessageTemplate.Check(Notify.Body, tracker.Schema, $"{path}.notify.body"));
            notify = new NotifyAction(Notify.Submitter ?? false, Notify.Assignees ?? false, Notify.Supervisors ?? false,
                [.. Notify.Roles ?? []], [.. Notify.Users ?? []], Notify.OnlyDirectMembers ?? false,
                Notify.OnCall ?? false, [.. Notify.Groups ?? []], Notify.Subject, Notify.Body, Notify.RecordInHistory ?? false);
        }
        return errors.Count > before ? null : new RuleActions(Transition, set, assignRole, notify);
    }
}

public sealed record AssignToDocument
{
    public string? Role { get; init; }
}

public sealed record NotifyDocument
{
    public bool? Submitter { get; init; }
    public bool? Assignees { get; init; }
    public bool? Supervisors { get; init; }
    public List<string>? Roles { get; init; }
    public List<string>? Users { get; init; }
    public bool? OnlyDirectMembers { get; init; }

    /// <summary>Whoever the project's on-call roster names when the rule fires.</summary>
    public bool? OnCall { get; init; }

    /// <summary>User groups to notify; names may hold placeholders such as <c>customers-{fields.product}</c>.</summary>
    public List<string>? Groups { get; init; }

    /// <summary>The subject, with placeholders (see <see cref="MessageTemplate"/>); omitted for the standard subject.</summary>
    public string? Subject { get; init; }

    /// <summary>The text, with placeholders (see <see cref="MessageTemplate"/>); omitted for the standard text.</summary>
    public string? Body { get; init; }

    /// <summary>Record in the item's history who was notified.</summary>
    public bool? RecordInHistory { get; init; }
}
