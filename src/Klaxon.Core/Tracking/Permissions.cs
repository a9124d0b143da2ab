namespace Klaxon.Core.Tracking;

/// <summary>What a role may do in a project. Names are stable: clients send them in role updates.</summary>
public static class Permissions
{
    public const string ViewItems = "items.view";
    public const string CreateItems = "items.create";
    public const string EditItems = "items.edit";
    public const string RunTransitions = "items.transition";
    public const string ViewEscalationSchedule = "escalations.view";
    public const string Administer = "project.admin";

    public static IReadOnlyList<string> All { get; } = [ViewItems, CreateItems, EditItems, RunTransitions, ViewEscalationSchedule, Administer];

    public const string ProjectAdmin = "Project Admin";
    public const string SupportEngineer = "Support Engineer";
    public const string Engineer = "Engineer";
    public const string EngineeringManager = "Engineering Manager";
    public const string QA = "QA";
    public const string Distribution = "Distribution";
    public const string Customer = "Customer";

    /// <summary>The roles a new project starts with and their permissions ("View Escalation Schedule" for Project Admin only).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> DefaultRoles { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [ProjectAdmin] = All,
        [SupportEngineer] = [ViewItems, CreateItems, EditItems, RunTransitions],
        [Engineer] = [ViewItems, CreateItems, EditItems, RunTransitions],
        [EngineeringManager] = [ViewItems, CreateItems, EditItems, RunTransitions],
        [QA] = [ViewItems, EditItems, RunTransitions],
        [Distribution] = [ViewItems],
        [Customer] = [ViewItems, CreateItems],
    };
}
