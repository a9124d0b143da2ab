using System.Text.Json;
using Klaxon.Core.Escalation;
using Klaxon.Model;

namespace Klaxon.Web.Pages.Groups;

/// <summary>The escalation group editor's form: the group document's values as inputs, rules as repeated fieldsets.</summary>
public sealed class GroupForm
{
    public string? Name { get; set; }
    public string? Tracker { get; set; }

    /// <summary>"filter" (an expression) or "view" (a public view).</summary>
    public string Predicate { get; set; } = "filter";
    public string? Filter { get; set; }
    public long? View { get; set; }
    public bool Enabled { get; set; } = true;
    public List<RuleForm> Rules { get; set; } = [];

    public static GroupForm From(EscalationGroupDocument d) => new()
    {
        Name = d.Name,
        Tracker = d.Tracker,
        Predicate = d.View is null ? "filter" : "view",
        Filter = d.Filter,
        View = d.View,
        Enabled = d.Enabled ?? true,
        Rules = [.. (d.Rules ?? []).Select(RuleForm.From)],
    };

    public EscalationGroupDocument ToDocument() => new()
    {
        Name = Name,
        Tracker = Tracker,
        Filter = Predicate == "view" ? null : Filter ?? "",
        View = Predicate == "view" ? View : null,
        Enabled = Enabled,
        Rules = [.. Rules.Select(r => r.ToDocument())],
    };
}

public sealed class RuleForm
{
    public string? Name { get; set; }
    public string? Anchor { get; set; }
    public string? Limit { get; set; }
    public string Unit { get; set; } = "hours";
    public string Basis { get; set; } = "working";
    public string? Calendar { get; set; }
    public string? Transition { get; set; }

    /// <summary>One assignment a line: <c>field = value</c>, the value as JSON (a bare word is text; <c>"=expr"</c> is an expression).</summary>
    public string? Set { get; set; }
    public string? AssignToRole { get; set; }
    public bool NotifySubmitter { get; set; }
    public bool NotifyAssignees { get; set; }
    public bool NotifySupervisors { get; set; }
    public List<string> NotifyRoles { get; set; } = [];

    /// <summary>Logins separated by commas or spaces.</summary>
    public string? NotifyUsers { get; set; }
    public bool OnlyDirectMembers { get; set; }

    public static RuleForm From(EscalationRuleDocument r)
    {
        var actions = r.Actions ?? new RuleActionsDocument();
        var notify = actions.Notify ?? new NotifyDocument();
        return new RuleForm
        {
            Name = r.Name,
            Anchor = r.Anchor,
            Limit = r.Limit,
            Unit = (r.Unit ?? "hours").ToLowerInvariant(),
            Basis = (r.Basis ?? "working").ToLowerInvariant(),
            Calendar = r.Calendar,
            Transition = actions.Transition,
            Set = string.Join("\n", (actions.Set ?? []).Select(s => $"{s.Key} = {s.Value.GetRawText()}")),
            AssignToRole = actions.AssignTo?.Role,
            NotifySubmitter = notify.Submitter ?? false,
            NotifyAssignees = notify.Assignees ?? false,
            NotifySupervisors = notify.Supervisors ?? false,
            NotifyRoles = notify.Roles ?? [],
            NotifyUsers = string.Join(", ", notify.Users ?? []),
            OnlyDirectMembers = notify.OnlyDirectMembers ?? false,
        };
    }

    public EscalationRuleDocument ToDocument()
    {
        var users = (NotifyUsers ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var notifies = NotifySubmitter || NotifyAssignees || NotifySupervisors || NotifyRoles.Count > 0 || users.Count > 0;
        return new EscalationRuleDocument
        {
            Name = Name,
            Anchor = Anchor,
            Limit = string.IsNullOrWhiteSpace(Limit) ? null : Limit,
            Unit = Unit,
            Basis = Basis,
            Calendar = string.IsNullOrWhiteSpace(Calendar) ? null : Calendar,
            Actions = new RuleActionsDocument
            {
                Transition = string.IsNullOrWhiteSpace(Transition) ? null : Transition,
                Set = ReadSet(Set),
                AssignTo = string.IsNullOrWhiteSpace(AssignToRole) ? null : new AssignToDocument { Role = AssignToRole },
                Notify = notifies
                    ? new NotifyDocument { Submitter = NotifySubmitter, Assignees = NotifyAssignees, Supervisors = NotifySupervisors, Roles = NotifyRoles, Users = users, OnlyDirectMembers = OnlyDirectMembers }
                    : null,
            },
        };
    }

    private static Dictionary<string, JsonElement>? ReadSet(string? text)
    {
        var set = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=');
            if (equals <= 0) continue;
            var value = line[(equals + 1)..].Trim();
            JsonElement json;
            try
            {
                json = JsonDocument.Parse(value.Length == 0 ? "null" : value).RootElement.Clone();
            }
            catch (JsonException)
            {
                json = JsonSerializer.SerializeToElement(value, KlaxonJson.Options);
            }
            set[line[..equals].Trim()] = json;
        }
        return set.Count == 0 ? null : set;
    }
}

/// <summary>What the editor offers to choose from, for the project.</summary>
public sealed record GroupOptions(
    IReadOnlyList<string> Trackers, IReadOnlyList<string> Anchors, IReadOnlyList<string> Transitions, IReadOnlyList<string> Roles,
    IReadOnlyList<string> Calendars, IReadOnlyList<ViewAnswer> Views);

/// <summary>One rule's fieldset, for the page and for the template that "Add rule" copies.</summary>
public sealed record RuleFields(int Index, RuleForm Rule, GroupOptions Options, string? Tracker);
