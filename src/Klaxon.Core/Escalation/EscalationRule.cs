using Klaxon.Core.Expressions;

namespace Klaxon.Core.Escalation;

public enum LimitUnit
{
    Minutes,
    Hours,
    Days,
}

/// <summary>Whether a rule's limit counts working time on a calendar or plain elapsed (calendar) time.</summary>
public enum TimeBasis
{
    Working,
    Calendar,
}

/// <summary>Who a fired rule notifies. Roles are project roles; <see cref="OnlyDirectMembers"/> leaves out members through groups.</summary>
/// <param name="OnCall">Whoever the project's on-call roster names at the moment the rule fires.</param>
/// <param name="Groups">
/// User groups whose members are notified; a name may hold placeholders (<see cref="MessageTemplate"/>), such as
/// <c>customers-{fields.product}</c>, filled from the item when the rule fires.
/// </param>
/// <param name="Subject">The message's subject as a <see cref="MessageTemplate"/>; null for the standard escalation subject.</param>
/// <param name="Body">The message's text as a <see cref="MessageTemplate"/>; null for the standard escalation text.</param>
/// <param name="RecordInHistory">Also record on the item, in its history, who was notified (field <c>notified</c>).</param>
public sealed record NotifyAction(
    bool Submitter = false,
    bool Assignees = false,
    bool Supervisors = false,
    IReadOnlyList<string>? Roles = null,
    IReadOnlyList<string>? Users = null,
    bool OnlyDirectMembers = false,
    bool OnCall = false,
    IReadOnlyList<string>? Groups = null,
    string? Subject = null,
    string? Body = null,
    bool RecordInHistory = false)
{
    public IReadOnlyList<string> RoleNames => Roles ?? [];

    public IReadOnlyList<string> UserLogins => Users ?? [];

    public IReadOnlyList<string> GroupNames => Groups ?? [];

    public bool IsEmpty => !Submitter && !Assignees && !Supervisors && !OnCall && RoleNames.Count == 0 && UserLogins.Count == 0 && GroupNames.Count == 0;
}

/// <summary>
/// What a fired rule does, in this order: a workflow transition (hidden ones too), field updates, assignment
/// to a role's members, then notifications rendered from the changed item.
/// </summary>
/// <param name="Set">Field → new value: a literal (text, number, bool, null, list) or, written <c>"=expression"</c>, an expression over the item.</param>
public sealed record RuleActions(
    string? Transition = null,
    IReadOnlyDictionary<string, FieldAssignment>? Set = null,
    string? AssignToRole = null,
    NotifyAction? Notify = null)
{
    public IReadOnlyDictionary<string, FieldAssignment> Assignments => Set ?? new Dictionary<string, FieldAssignment>();
}

/// <summary>A new value for a field: a constant, or an expression evaluated on the item when the rule fires.</summary>
public sealed record FieldAssignment(object? Constant, CompiledExpression? Expression = null);

/// <summary>
/// One level of an escalation group: due at <see cref="Anchor"/> + <see cref="Limit"/> in <see cref="Unit"/>s of
/// <see cref="Basis"/> time. The special anchor <see cref="AfterLastEscalation"/> makes it the group's repeat rule.
/// </summary>
/// <param name="Limit">A number expression; null (no limit) means 0. A limit that evaluates to null also counts as 0.</param>
/// <param name="Calendar">The calendar of working time; null for the project's.</param>
/// <param name="OutsideWorkingTime">
/// The rule applies only to items whose anchor instant falls outside the working time of <see cref="Calendar"/>
/// (the project's when null), such as an escalation made while engineering is closed; otherwise it has no due.
/// </param>
public sealed record EscalationRule(
    string Name,
    string Anchor,
    CompiledExpression? Limit,
    LimitUnit Unit,
    TimeBasis Basis,
    string? Calendar,
    RuleActions Actions,
    bool OutsideWorkingTime = false)
{
    public const string AfterLastEscalation = "afterLastEscalation";

    /// <summary>The shortest repeat interval a repeat rule may have.</summary>
    public static readonly NodaTime.Duration MinimumRepeat = NodaTime.Duration.FromSeconds(60);

    public bool IsRepeat => Anchor == AfterLastEscalation;
}
