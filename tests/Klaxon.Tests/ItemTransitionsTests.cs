using System.Net;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Klaxon.Tests;

public sealed class ItemTransitionsTests : IAsyncLifetime
{
    private SupportProject sup = null!;

    private HttpClient Admin => sup.Admin;

    public async Task InitializeAsync()
    {
        sup = await SupportProject.StartAsync();
        await sup.CreateAsync("""{"tracker":"INC","summary":"Mail is down","priority":2}""");
        await sup.CreateAsync("""{"tracker":"BUG","summary":"Relay crashes"}""");
    }

    public async Task DisposeAsync() => await sup.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Detail)> RunAsync(string login, string transition, string key = "INC-1")
    {
        using var response = await sup.As(login).PostJsonAsync($"/api/v1/items/{key}/transitions", $$"""{"transition":"{{transition}}"}""");
        var body = await response.ReadJsonAsync();
        return (response.StatusCode, (string?)body["detail"] ?? "");
    }

    [Fact]
    public async Task AllowedTransition_MovesTheStatus_AndRecordsItsName()
    {
        var item = await sup.TransitionAsync("INC-1", "Triage", sup.As("alice"));

        Assert.Equal("Triage", (string)item["status"]!);
        Assert.Equal(2, (int)item["version"]!);
        var last = (await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray()[^1]!;
        Http.AssertSameJson("""{"at":"2026-03-27T14:00:00Z","actor":"alice","field":"status","oldValue":"New","newValue":"Triage","transition":"Triage"}""", last);
    }

    [Fact]
    public async Task ListedTransitions_AreThoseFromTheCurrentStatus_GrantedToTheCallersRoles_NeverHidden()
    {
        Http.AssertSameJson("""[{"name":"Triage","from":"New","to":"Triage","requires":[],"missing":[]}]""",
            await sup.As("alice").GetJsonAsync("/api/v1/items/INC-1/transitions"));
        // The administrator may run every transition granted to some role, but no hidden one.
        Http.AssertSameJson("""[{"name":"Triage","from":"New","to":"Triage","requires":[],"missing":[]}]""",
            await Admin.GetJsonAsync("/api/v1/items/INC-1/transitions"));
        Assert.Empty((await sup.As("bob").GetJsonAsync("/api/v1/items/INC-1/transitions")).AsArray());
        // Viewing without items.transition lists nothing rather than refusing.
        Assert.Empty((await sup.As("dora").GetJsonAsync("/api/v1/items/INC-1/transitions")).AsArray());

        await sup.TransitionAsync("INC-1", "Triage");

        Http.AssertSameJson("""[{"name":"Escalate to engineering","from":"Triage","to":"Escalated","requires":["link:bug-report"],"missing":["link:bug-report"]}]""",
            await sup.As("alice").GetJsonAsync("/api/v1/items/INC-1/transitions"));
    }

    [Theory]
    [InlineData("alice", "Reopen", HttpStatusCode.Conflict, "There is no transition 'Reopen' from the current status 'New'")]
    [InlineData("alice", "Close", HttpStatusCode.Conflict, "The transition 'Close' goes from 'Resolved', not from the current status 'New'")]
    [InlineData("alice", "Escalate to engineering", HttpStatusCode.Conflict, "goes from 'Triage', not from the current status 'New'")]
    [InlineData("bob", "Triage", HttpStatusCode.Forbidden, "The transition 'Triage' is granted to Support Engineer; 'bob' holds Engineer")]
    [InlineData("pat", "Triage", HttpStatusCode.Forbidden, "'pat' holds Project Admin")]
    [InlineData("alice", "Mark unconfirmed", HttpStatusCode.Forbidden, "The transition 'Mark unconfirmed' is granted to no role: only escalation actions run it")]
    [InlineData("pat", "Mark unconfirmed", HttpStatusCode.Forbidden, "only escalation actions run it")]
    public async Task RefusedTransition_NamesTheTransitionAndStatus_AndChangesNothing(string login, string transition, HttpStatusCode status, string message)
    {
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        var (answer, detail) = await RunAsync(login, transition);

        Assert.Equal(status, answer);
        Assert.Contains(message, detail);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));
        Assert.Single((await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray());
    }

    [Fact]
    public async Task HiddenTransition_RunByTheAdministrator_Is403()
    {
        using var response = await Admin.PostJsonAsync("/api/v1/items/INC-1/transitions", """{"transition":"Mark unconfirmed"}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("New", (string)(await Admin.GetJsonAsync("/api/v1/items/INC-1"))["status"]!);
    }

    [Fact]
    public async Task RequiredLink_Missing_Is409NamingIt_AndWithTheLinkTheTransitionRuns()
    {
        await sup.TransitionAsync("INC-1", "Triage");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        var (status, detail) = await RunAsync("alice", "Escalate to engineering");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Escalate to engineering requires a link of type 'bug-report'", detail);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));

        // A link of another type, or one pointing the other way, does not count.
        await sup.LinkAsync("INC-1", "duplicate", "BUG-1");
        await sup.LinkAsync("BUG-1", "bug-report", "INC-1");
        Assert.Equal(HttpStatusCode.Conflict, (await RunAsync("alice", "Escalate to engineering")).Status);

        await sup.LinkAsync("INC-1", "bug-report", "BUG-1");
        var item = await sup.TransitionAsync("INC-1", "Escalate to engineering");

        Assert.Equal("Escalated", (string)item["status"]!);
    }

    [Fact]
    public async Task RequiredFields_Missing_Is409NamingEach_AndOnceSetTheTransitionRuns()
    {
        await sup.TransitionAsync("INC-1", "Triage");
        await sup.LinkAsync("INC-1", "bug-report", "BUG-1");
        await sup.TransitionAsync("INC-1", "Escalate to engineering");
        var before = await Admin.GetTextAsync("/api/v1/items/INC-1");

        var (status, detail) = await RunAsync("bob", "Resolve");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Resolve requires a value in 'resolution' and a value in 'fields.region'", detail);
        Assert.Equal(before, await Admin.GetTextAsync("/api/v1/items/INC-1"));

        await sup.PatchAsync("INC-1", """{"resolution":"Relay restarted"}""", sup.As("bob"));
        Assert.Contains("Resolve requires a value in 'fields.region'.", (await RunAsync("bob", "Resolve")).Detail);
        Http.AssertSameJson("""[{"name":"Resolve","from":"Escalated","to":"Resolved","requires":["resolution","fields.region"],"missing":["fields.region"]}]""",
            await sup.As("bob").GetJsonAsync("/api/v1/items/INC-1/transitions"));

        await sup.PatchAsync("INC-1", """{"fields":{"region":"EMEA"}}""", sup.As("bob"));
        Assert.Equal("Resolved", (string)(await sup.TransitionAsync("INC-1", "Resolve", sup.As("bob")))["status"]!);
        Assert.Equal("Closed", (string)(await sup.TransitionAsync("INC-1", "Close", sup.As("quinn")))["status"]!);
    }

    [Fact]
    public async Task Transition_WithoutAName_Is400()
    {
        using var response = await sup.As("alice").PostJsonAsync("/api/v1/items/INC-1/transitions", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadJsonAsync())["errors"]?["transition"]);
    }

    [Fact]
    public async Task TransitionRoles_CountMembershipThroughGroups()
    {
        await sup.TransitionAsync("INC-1", "Triage");
        await sup.LinkAsync("INC-1", "bug-report", "BUG-1");
        await sup.TransitionAsync("INC-1", "Escalate to engineering");
        await sup.PatchAsync("INC-1", """{"resolution":"Fixed","fields":{"region":"APAC"}}""");

        var item = await sup.TransitionAsync("INC-1", "Resolve", sup.As("gina"));

        Assert.Equal("Resolved", (string)item["status"]!);
    }

    [Fact]
    public async Task EscalationActor_RunsHiddenTransitions_WithoutRoles_AndHistoryRecordsIt()
    {
        await using var scope = sup.Server.App.Services.CreateAsyncScope();
        var changes = new ItemChanges(scope.ServiceProvider.GetRequiredService<KlaxonDbContext>(), scope.ServiceProvider.GetRequiredService<IClock>());

        var change = await changes.ChangeAsync("INC-1", new ItemEdit
        {
            Transition = "Mark unconfirmed",
            Values = new Dictionary<string, object?> { ["priority"] = 1m, ["assignedTo"] = new[] { "pat" } },
        }, ItemActor.Escalation("escalation:New issues/1"));

        Assert.Equal("Mark unconfirmed", change.Transition?.Name);
        Assert.Equal(["status", "priority", "assignedTo"], change.Changes.Select(c => c.Field));
        Assert.True(change.ChangedAny(["priority", "startDate"]));
        Assert.Equal(2, change.Item.Version);
        var item = await Admin.GetJsonAsync("/api/v1/items/INC-1");
        Assert.Equal(("Unconfirmed", 1), ((string)item["status"]!, (int)item["priority"]!));
        var history = (await Admin.GetJsonAsync("/api/v1/items/INC-1/history")).AsArray();
        Assert.Equal("escalation:New issues/1", (string)history[^1]!["actor"]!);
        Assert.Equal("Mark unconfirmed", (string)history[1]!["transition"]!);

        // The same change again from the new status is refused: the engine sees why.
        var refused = await Assert.ThrowsAsync<ProblemException>(() => changes.TransitionAsync("INC-1", "Mark unconfirmed", ItemActor.Escalation("escalation")));
        Assert.Equal(409, refused.Status);
        Assert.Contains("not from the current status 'Unconfirmed'", refused.Message);
    }

    [Fact]
    public async Task EscalationActor_StillNeedsTheRequiredLinks()
    {
        await using var scope = sup.Server.App.Services.CreateAsyncScope();
        var changes = new ItemChanges(scope.ServiceProvider.GetRequiredService<KlaxonDbContext>(), scope.ServiceProvider.GetRequiredService<IClock>());
        await changes.TransitionAsync("INC-1", "Triage", ItemActor.Escalation("escalation"));

        var refused = await Assert.ThrowsAsync<ProblemException>(() => changes.TransitionAsync("INC-1", "Escalate to engineering", ItemActor.Escalation("escalation")));

        Assert.Equal(409, refused.Status);
        Assert.Contains("Escalate to engineering requires a link of type 'bug-report'", refused.Message);
    }
}
