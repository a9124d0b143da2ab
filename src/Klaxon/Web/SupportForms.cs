using Klaxon.Core.Tracking;

namespace Klaxon.Web;

/// <summary>
/// Which support-desk forms an item's tracker supports, read from the tracker itself (its fields and workflow), not
/// from the project's key or the tracker's name, so a project made from the support template keeps its forms after
/// its trackers are renamed or changed, and any project whose trackers have the same shape gets them too:
/// <list type="bullet">
/// <item>escalation with a bug report: a transition that requires a link of type <c>bug-report</c>;</item>
/// <item>engineering assessment: a text field <c>assessment</c> and a date-time field <c>expectedResolution</c>
/// (with a user field <c>engineer</c>, when there is one);</item>
/// <item>proactive customer notice: bool fields named <c>impact…</c> (the impact categories), and text fields
/// <c>workaround</c> and <c>targetRelease</c>.</item>
/// </list>
/// </summary>
public sealed record SupportForms(IReadOnlyList<Transition> Escalations, bool Assessment, bool Engineer, IReadOnlyList<CustomField> Impacts)
{
    /// <summary>The link type the escalation transitions require.</summary>
    public const string BugReport = "bug-report";

    public const string Requirement = "link:" + BugReport;

    private const string ImpactPrefix = "impact";

    public bool Notice => Impacts.Count > 0;

    public bool Any => Escalations.Count > 0 || Assessment || Notice;

    public static SupportForms For(Tracker tracker)
    {
        var escalations = tracker.Workflow.Transitions.Where(t => !t.Hidden && t.Requires.Contains(Requirement)).ToList();
        var assessment = Is(tracker, "assessment", CustomFieldType.Text) && Is(tracker, "expectedResolution", CustomFieldType.DateTime);
        var impacts = Is(tracker, "workaround", CustomFieldType.Text) && Is(tracker, "targetRelease", CustomFieldType.Text)
            ? tracker.Fields.Where(f => f.Type == CustomFieldType.Bool && f.Name.Length > ImpactPrefix.Length && f.Name.StartsWith(ImpactPrefix, StringComparison.Ordinal)).ToList()
            : [];
        return new SupportForms(escalations, assessment, assessment && Is(tracker, "engineer", CustomFieldType.User), impacts);
    }

    /// <summary>An impact category as people read it: "Data processing" for <c>impactDataProcessing</c>.</summary>
    public static string CategoryName(CustomField impact) => impact.Name switch
    {
        "impactDisplay" => "Display of information",
        "impactSecurity" => "Computer security",
        _ => Words(impact.Name[ImpactPrefix.Length..]),
    };

    /// <summary>The tracker's description of a category being set ("The problem jeopardizes …"), if it has one.</summary>
    public static string? CategoryDescription(Tracker tracker, CustomField impact) =>
        tracker.Descriptions?.GetValueOrDefault("fields." + impact.Name)?.GetValueOrDefault("true");

    private static bool Is(Tracker tracker, string name, CustomFieldType type) => tracker.Field(name)?.Type == type;

    private static string Words(string camel)
    {
        var text = new System.Text.StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append(' ').Append(char.ToLowerInvariant(c));
            else text.Append(text.Length == 0 ? char.ToUpperInvariant(c) : c);
        }
        return text.ToString();
    }
}
