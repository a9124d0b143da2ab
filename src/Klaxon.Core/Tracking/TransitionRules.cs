namespace Klaxon.Core.Tracking;

/// <summary>
/// Who changes an item: a user holding roles in the item's project, or an escalation action. An escalation
/// action may run hidden transitions and is not asked for roles; everything else applies to it as to a user.
/// </summary>
/// <param name="Name">What history records as the actor: a login, or a name the escalation engine chooses.</param>
/// <param name="Roles">The project roles the actor holds, directly or through groups (none for an escalation).</param>
/// <param name="IsAdministrator">An administrator may run every transition granted to some role, but no hidden one.</param>
/// <param name="IsEscalation">Runs hidden transitions and skips role checks.</param>
public sealed record ItemActor(string Name, IReadOnlySet<string> Roles, bool IsAdministrator, bool IsEscalation)
{
    public static ItemActor User(string login, IEnumerable<string> roles, bool isAdministrator = false) =>
        new(login, roles.ToHashSet(StringComparer.Ordinal), isAdministrator, IsEscalation: false);

    /// <summary>An escalation action, recorded in history as <paramref name="name"/> (such as <c>escalation:Sev 1/level 2</c>).</summary>
    public static ItemActor Escalation(string name) => new(name, new HashSet<string>(), IsAdministrator: false, IsEscalation: true);
}

public enum TransitionVerdict
{
    Allowed,

    /// <summary>No transition of that name exists in the workflow (409).</summary>
    Unknown,

    /// <summary>The transition exists, but not from the item's current status (409).</summary>
    NotFromStatus,

    /// <summary>The transition is granted to no role and the actor is not an escalation action (403).</summary>
    Hidden,

    /// <summary>The transition is granted to roles the actor does not hold (403).</summary>
    NotGranted,

    /// <summary>A required field is empty or a required link is missing (409).</summary>
    RequirementsMissing,
}

/// <summary>Whether a transition may run now and, when not, a sentence saying why.</summary>
public sealed record TransitionDecision(TransitionVerdict Verdict, Transition? Transition, string Message, IReadOnlyList<string> Missing)
{
    public bool Allowed => Verdict == TransitionVerdict.Allowed;
}

/// <summary>
/// The workflow's rules for running a transition, as pure decisions: the transition must start from the
/// current status (or from <c>*</c>), be granted to one of the actor's roles (hidden ones only to escalation
/// actions), and find each required field with a value and each required link present.
/// </summary>
public static class TransitionRules
{
    public const string LinkPrefix = "link:";

    /// <summary>Decides whether <paramref name="actor"/> may run the transition <paramref name="name"/> on an item in <paramref name="status"/>.</summary>
    /// <param name="isMet">Whether a requirement (a field name, or <c>link:TYPE</c>) is met by the item as it would be.</param>
    public static TransitionDecision Decide(Workflow workflow, string name, string status, ItemActor actor, Func<string, bool> isMet)
    {
        var transition = workflow.Find(name, status);
        if (transition is null)
        {
            var elsewhere = workflow.Transitions.Where(t => t.Name == name).ToList();
            var possible = workflow.From(status).Where(t => IsGranted(t, actor)).Select(t => $"'{t.Name}'").Distinct().ToList();
            var hint = possible.Count == 0 ? "" : $" From '{status}' you may run {string.Join(", ", possible)}.";
            return elsewhere.Count == 0
                ? Refuse(TransitionVerdict.Unknown, null, $"There is no transition '{name}' from the current status '{status}' (the workflow has no transition of that name).{hint}")
                : Refuse(TransitionVerdict.NotFromStatus, elsewhere[0],
                    $"The transition '{name}' goes from {string.Join(" or ", elsewhere.Select(t => $"'{t.From}'"))}, not from the current status '{status}'.{hint}");
        }
        if (!actor.IsEscalation)
        {
            if (transition.Hidden)
                return Refuse(TransitionVerdict.Hidden, transition, $"The transition '{name}' is granted to no role: only escalation actions run it.");
            if (!IsGranted(transition, actor))
            {
                var holds = actor.Roles.Count == 0 ? "no role in this project" : string.Join(", ", actor.Roles.Order(StringComparer.Ordinal));
                return Refuse(TransitionVerdict.NotGranted, transition,
                    $"The transition '{name}' is granted to {string.Join(", ", transition.Roles)}; '{actor.Name}' holds {holds}.");
            }
        }
        var missing = transition.Requires.Where(r => !isMet(r)).ToList();
        if (missing.Count > 0)
            return new TransitionDecision(TransitionVerdict.RequirementsMissing, transition,
                $"{transition.Name} requires {JoinAnd(missing.Select(Describe))}.", missing);
        return new TransitionDecision(TransitionVerdict.Allowed, transition, "", []);
    }

    /// <summary>The transitions <paramref name="actor"/> may start from <paramref name="status"/>, ignoring requirements; hidden ones only for escalation actions.</summary>
    public static IEnumerable<Transition> Available(Workflow workflow, string status, ItemActor actor) =>
        workflow.From(status).Where(t => IsGranted(t, actor));

    /// <summary>Whether the transition's roles let <paramref name="actor"/> run it, wherever the item stands.</summary>
    public static bool IsGranted(Transition transition, ItemActor actor) =>
        actor.IsEscalation || (!transition.Hidden && (actor.IsAdministrator || transition.Roles.Any(actor.Roles.Contains)));

    /// <summary>The link type a requirement names (<c>link:bug-report</c> → <c>bug-report</c>), or null for a field.</summary>
    public static string? LinkType(string requirement) =>
        requirement.StartsWith(LinkPrefix, StringComparison.Ordinal) ? requirement[LinkPrefix.Length..] : null;

    /// <summary>A requirement as a phrase: "a link of type 'bug-report'", "a value in 'resolution'".</summary>
    public static string Describe(string requirement) =>
        LinkType(requirement) is { } type ? $"a link of type '{type}'" : $"a value in '{requirement}'";

    private static TransitionDecision Refuse(TransitionVerdict verdict, Transition? transition, string message) => new(verdict, transition, message, []);

    private static string JoinAnd(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }
}
