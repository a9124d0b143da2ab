using Klaxon.Core.Tracking;

namespace Klaxon.Core.Tests.Tracking;

public class TransitionRulesTests
{
    private static readonly Workflow Incident = new(
        ["New", "Triage", "Unconfirmed", "Escalated", "Closed"],
        "New",
        [
            new Transition("Triage", "New", "Triage", ["Support Engineer"], []),
            new Transition("Mark unconfirmed", "New", "Unconfirmed", [], []),
            new Transition("Escalate to engineering", "Triage", "Escalated", ["Support Engineer", "Engineering Manager"], ["link:bug-report", "assignedTo"]),
            new Transition("Close", "*", "Closed", ["QA"], []),
        ]);

    private static readonly ItemActor Alice = ItemActor.User("alice", ["Support Engineer"]);
    private static readonly ItemActor Bob = ItemActor.User("bob", ["Engineer"]);
    private static readonly ItemActor Admin = ItemActor.User("admin", [], isAdministrator: true);
    private static readonly ItemActor Engine = ItemActor.Escalation("escalation");

    private static TransitionDecision Decide(string name, string status, ItemActor actor, params string[] met) =>
        TransitionRules.Decide(Incident, name, status, actor, met.Contains);

    [Theory]
    [InlineData("Triage", "New", "alice", TransitionVerdict.Allowed)]
    [InlineData("Triage", "New", "bob", TransitionVerdict.NotGranted)]
    [InlineData("Triage", "New", "admin", TransitionVerdict.Allowed)]
    [InlineData("Triage", "New", "engine", TransitionVerdict.Allowed)]
    [InlineData("Triage", "Triage", "alice", TransitionVerdict.NotFromStatus)]
    [InlineData("Reopen", "New", "alice", TransitionVerdict.Unknown)]
    [InlineData("Mark unconfirmed", "New", "alice", TransitionVerdict.Hidden)]
    [InlineData("Mark unconfirmed", "New", "admin", TransitionVerdict.Hidden)]
    [InlineData("Mark unconfirmed", "New", "engine", TransitionVerdict.Allowed)]
    [InlineData("Mark unconfirmed", "Triage", "engine", TransitionVerdict.NotFromStatus)]
    [InlineData("Escalate to engineering", "Triage", "alice", TransitionVerdict.RequirementsMissing)]
    [InlineData("Escalate to engineering", "Triage", "engine", TransitionVerdict.RequirementsMissing)]
    [InlineData("Close", "Escalated", "bob", TransitionVerdict.NotGranted)]
    [InlineData("Close", "Unconfirmed", "engine", TransitionVerdict.Allowed)]
    public void Decide_GivesTheVerdict(string name, string status, string who, TransitionVerdict expected)
    {
        var actor = who switch { "alice" => Alice, "bob" => Bob, "admin" => Admin, _ => Engine };

        Assert.Equal(expected, Decide(name, status, actor).Verdict);
    }

    [Fact]
    public void Decide_NamesEachMissingRequirement()
    {
        var decision = Decide("Escalate to engineering", "Triage", Alice);

        Assert.Equal("Escalate to engineering requires a link of type 'bug-report' and a value in 'assignedTo'.", decision.Message);
        Assert.Equal(["link:bug-report", "assignedTo"], decision.Missing);
        Assert.Equal("Escalate to engineering requires a link of type 'bug-report'.", Decide("Escalate to engineering", "Triage", Alice, "assignedTo").Message);
        Assert.True(Decide("Escalate to engineering", "Triage", Alice, "assignedTo", "link:bug-report").Allowed);
    }

    [Fact]
    public void Decide_RefusalsNameTheTransitionAndTheStatus()
    {
        Assert.Equal("There is no transition 'Reopen' from the current status 'New' (the workflow has no transition of that name). From 'New' you may run 'Triage'.",
            Decide("Reopen", "New", Alice).Message);
        Assert.Equal("The transition 'Triage' goes from 'New', not from the current status 'Triage'.", Decide("Triage", "Triage", Bob).Message);
        Assert.Equal("The transition 'Triage' is granted to Support Engineer; 'bob' holds Engineer.", Decide("Triage", "New", Bob).Message);
        Assert.Equal("The transition 'Mark unconfirmed' is granted to no role: only escalation actions run it.", Decide("Mark unconfirmed", "New", Alice).Message);
    }

    [Fact]
    public void Available_ListsGrantedTransitionsFromTheStatus_HiddenOnlyForEscalations()
    {
        Assert.Equal(["Triage", "Close"], TransitionRules.Available(Incident, "New", Admin).Select(t => t.Name));
        Assert.Equal(["Triage"], TransitionRules.Available(Incident, "New", Alice).Select(t => t.Name));
        Assert.Empty(TransitionRules.Available(Incident, "New", Bob));
        Assert.Equal(["Triage", "Mark unconfirmed", "Close"], TransitionRules.Available(Incident, "New", Engine).Select(t => t.Name));
    }
}
