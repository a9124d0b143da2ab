using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// A project for the seed's escalation examples: tracker TASK with a hidden escalation transition, users in roles
/// (gina is Project Admin only through the group 'admins', an indirect member), the system calendar Monday–Friday
/// 09:00–17:00 UTC, and the manual clock at Friday 2026-03-27 14:00 UTC.
/// </summary>
public sealed class EscalationProject : IAsyncDisposable
{
    public const string Key = "SEED";

    public const string Tracker = """
        {"key":"TASK","name":"Task","workflow":{"statuses":["New","Unconfirmed","In Progress","Resolved","Closed"],"initial":"New","transitions":[
          {"name":"Mark unconfirmed","from":"New","to":"Unconfirmed","roles":[]},
          {"name":"Start","from":"*","to":"In Progress","roles":["Engineer","Project Admin"]},
          {"name":"Resolve","from":"*","to":"Resolved","roles":["Engineer","Project Admin"]},
          {"name":"Close","from":"*","to":"Closed","roles":["Project Admin"]}]}}
        """;

    private EscalationProject(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    public HttpClient Admin => Server.Client;

    public TestUser Pat { get; private set; } = null!;

    public static async Task<EscalationProject> StartAsync(Delivery.DeliverySettings? delivery = null)
    {
        var project = new EscalationProject(await RunningServer.StartAsync(delivery: delivery));
        var server = project.Server;
        await server.CreateProjectAsync(Key, "Seed examples");
        await Users.ExpectAsync(HttpStatusCode.Created, project.Admin.PostJsonAsync($"/api/v1/projects/{Key}/trackers", Tracker));
        project.Pat = await server.CreateMemberAsync(Key, "pat", "Project Admin");
        await server.CreateMemberAsync(Key, "ann", "Engineer");
        await server.CreateMemberAsync(Key, "sam", "Engineer");
        await server.CreateMemberAsync(Key, "sue", "Support Engineer");
        await server.CreateUserAsync("gina");
        await server.CreateGroupAsync("admins", "gina");
        await server.AddGroupToProjectAsync(Key, "admins", "Project Admin");
        return project;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    /// <summary>
    /// Turns off the messages people's own transitions and assignments send (ChangeMessagesTests), for a scenario about
    /// what rules send that has people assign or transition along the way.
    /// </summary>
    public Task RulesOnlyAsync() => Users.ExpectAsync(HttpStatusCode.OK,
        Admin.PutJsonAsync($"/api/v1/projects/{Key}/notification-settings", """{"changeMessages":{"transitions":false,"assignments":false}}"""));

    public async Task<long> AddGroupAsync(string json) =>
        (long)(await Users.ExpectAsync(HttpStatusCode.Created, Admin.PostJsonAsync($"/api/v1/projects/{Key}/escalation-groups", json)))["id"]!;

    public async Task<string> CreateItemAsync(string json) =>
        (string)(await Users.ExpectAsync(HttpStatusCode.Created, Admin.PostJsonAsync($"/api/v1/projects/{Key}/items", json)))["key"]!;

    public Task PatchAsync(string key, string json) => Users.ExpectAsync(HttpStatusCode.OK, Admin.PatchAsync($"/api/v1/items/{key}", Http.Json(json)));

    public Task TransitionAsync(string key, string transition) =>
        Users.ExpectAsync(HttpStatusCode.OK, Admin.PostJsonAsync($"/api/v1/items/{key}/transitions", JsonSerializer.Serialize(new { transition })));

    public async Task AdvanceToAsync(string instant) =>
        Assert.Equal(instant, (string)(await Users.ExpectAsync(HttpStatusCode.OK, Admin.PostJsonAsync("/api/v1/clock/advance", JsonSerializer.Serialize(new { to = instant }))))["now"]!);

    public async Task<JsonNode> ItemAsync(string key) => await Admin.GetJsonAsync($"/api/v1/items/{key}");

    /// <summary>The schedule as Pat (Project Admin, who may view it) sees it.</summary>
    public async Task<JsonArray> ScheduleAsync(string key) => (JsonArray)await Pat.Client.GetJsonAsync($"/api/v1/items/{key}/escalations");

    /// <summary>Each entry as "rule status due [firedAt]".</summary>
    public async Task<List<string>> ScheduleLinesAsync(string key) =>
        [.. (await ScheduleAsync(key)).Select(e => $"{e!["rule"]} {e["status"]} {e["due"]}{(e["firedAt"] is { } f ? " fired " + f : "")}")];

    /// <summary>The recorded messages for an item: "recipient: subject", in order.</summary>
    public async Task<List<(string Recipient, string Subject, string Body)>> MessagesAsync(string key)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
        var id = await db.Items.Where(i => i.Key == key).Select(i => i.Id).SingleAsync();
        var rows = await db.Messages.AsNoTracking().Where(m => m.ItemId == id).OrderBy(m => m.Id).ToListAsync();
        return [.. rows.Select(m => (m.Recipient, m.Subject, m.Body))];
    }

    public async Task<List<string>> RecipientsAsync(string key) => [.. (await MessagesAsync(key)).Select(m => m.Recipient)];
}

public class EscalationSeedExamplesTests
{
    private const string Example1 = """
        {"name":"New issues","tracker":"TASK","filter":"status in (\"New\", null)","rules":[
          {"name":"Verify within the limit","anchor":"submittedAt","limit":"(priority == 1 or priority == 2) ? 1 : 4","unit":"hours","basis":"working",
           "actions":{"transition":"Mark unconfirmed","notify":{"roles":["Project Admin"],"onlyDirectMembers":true}}}]}
        """;

    [Fact]
    public async Task Example1_NewIssueNotVerifiedInTime_BecomesUnconfirmedAndAlertsTheProjectAdmins()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync(Example1);
        var urgent = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":1}""");
        var normal = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Typo","priority":3}""");
        var handled = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Handled in time","priority":2}""");

        Assert.Equal(["Verify within the limit pending 2026-03-27T15:00:00Z"], await p.ScheduleLinesAsync(urgent));
        // 4 working hours from Friday 14:00: 3 on Friday, 1 on Monday.
        Assert.Equal(["Verify within the limit pending 2026-03-30T10:00:00Z"], await p.ScheduleLinesAsync(normal));

        await p.TransitionAsync(handled, "Start"); // verified in time: it leaves the group
        await p.AdvanceToAsync("2026-03-27T15:00:00Z");

        Assert.Equal("Unconfirmed", (string)(await p.ItemAsync(urgent))["status"]!);
        Assert.Equal(["Verify within the limit fired 2026-03-27T15:00:00Z fired 2026-03-27T15:00:00Z"], await p.ScheduleLinesAsync(urgent));
        var messages = await p.MessagesAsync(urgent);
        Assert.Equal(["pat"], messages.Select(m => m.Recipient)); // gina is Project Admin only through a group
        Assert.Contains("Status: Unconfirmed", messages[0].Body); // rendered after the transition
        Assert.Contains("[" + urgent + "] Server down", messages[0].Subject);
        Assert.Equal(["Verify within the limit cancelled 2026-03-27T15:00:00Z"], await p.ScheduleLinesAsync(handled));
        Assert.Empty(await p.MessagesAsync(handled));

        // The same rule on a Friday afternoon fires on Monday, not Friday evening.
        await p.AdvanceToAsync("2026-03-30T09:59:59Z");
        Assert.Equal("New", (string)(await p.ItemAsync(normal))["status"]!);
        await p.AdvanceToAsync("2026-03-30T10:00:00Z");
        Assert.Equal("Unconfirmed", (string)(await p.ItemAsync(normal))["status"]!);
        Assert.Equal(["pat"], await p.RecipientsAsync(normal));
    }

    [Fact]
    public async Task Example1_WithoutOnlyDirectMembers_AlsoAlertsIndirectMembers()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync(Example1.Replace("\"onlyDirectMembers\":true", "\"onlyDirectMembers\":false"));
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":1}""");
        await p.AdvanceToAsync("2026-03-27T15:00:00Z");
        Assert.Equal(["gina", "pat"], (await p.RecipientsAsync(item)).Order());
    }

    [Fact]
    public async Task Example2_NewHighPriorityIssue_IsRaisedAssignedToEngineersAndTheyAreNotified()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync("""
            {"name":"New high priority issues","tracker":"TASK","filter":"status in (\"New\", null) and priority <= 2","rules":[
              {"name":"On receipt","anchor":"submittedAt","actions":{"set":{"priority":1},"assignTo":{"role":"Engineer"},"notify":{"assignees":true,"supervisors":true}}}]}
            """);
        var high = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Data loss","priority":2,"supervisors":["sue"]}""");
        var low = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Cosmetic","priority":4}""");
        await p.AdvanceToAsync("2026-03-27T14:00:00Z"); // due at submission: fires without the clock moving

        var item = await p.ItemAsync(high);
        Assert.Equal(1, (int)item["priority"]!);
        Assert.Equal(["ann", "sam"], item["assignedTo"]!.AsArray().Select(a => (string)a!).Order());
        var messages = await p.MessagesAsync(high);
        Assert.Equal(["ann", "sam", "sue"], messages.Select(m => m.Recipient).Order());
        Assert.All(messages, m => Assert.Contains("Priority: 1", m.Body)); // the new state, not the old
        Assert.Empty(await p.MessagesAsync(low));
        Assert.Empty(await p.ScheduleAsync(low));
    }

    [Fact]
    public async Task Example3_StillUnconfirmedAfterEightWorkingHours_RemindsSubmitterAssigneesAndSupervisors()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync(Example1);
        await p.AddGroupAsync("""
            {"name":"Unconfirmed issues","tracker":"TASK","filter":"status == \"Unconfirmed\"","rules":[
              {"name":"Clarify","anchor":"submittedAt","limit":"8","actions":{"notify":{"submitter":true,"assignees":true,"supervisors":true}}}]}
            """);
        var item = (string)(await Users.ExpectAsync(HttpStatusCode.Created, (await p.Server.CreateMemberAsync(EscalationProject.Key, "sid", "Support Engineer")).Client
            .PostJsonAsync($"/api/v1/projects/{EscalationProject.Key}/items", """{"tracker":"TASK","summary":"Odd report","priority":1,"assignedTo":["ann"],"supervisors":["sam"]}""")))["key"]!;

        await p.AdvanceToAsync("2026-03-27T15:00:00Z"); // Example 1 makes it Unconfirmed
        // 8 working hours after Friday 14:00: 3 on Friday, 5 on Monday.
        Assert.Contains("Clarify pending 2026-03-30T14:00:00Z", await p.ScheduleLinesAsync(item));
        await p.AdvanceToAsync("2026-03-30T14:00:00Z");
        var clarify = (await p.MessagesAsync(item)).Where(m => m.Subject.Contains("Clarify")).Select(m => m.Recipient).Order();
        Assert.Equal(["ann", "sam", "sid"], clarify);
        await p.AdvanceToAsync("2026-04-03T14:00:00Z");
        Assert.Equal(3, (await p.MessagesAsync(item)).Count(m => m.Subject.Contains("Clarify"))); // one-shot: no repeat
    }

    private const string Example4 = """
        {"name":"Unassigned open issues","tracker":"TASK","filter":"status not in (\"Resolved\", \"Closed\") and assignedTo is empty","rules":[
          {"name":"Starts within 30 minutes","anchor":"startDate","limit":"-30","unit":"minutes","basis":"calendar","actions":{"notify":{"roles":["Project Admin"],"supervisors":true,"onlyDirectMembers":true}}}]}
        """;

    [Fact]
    public async Task Example4_UnassignedIssueAboutToStart_AlertsAdminsAndSupervisors_AndFollowsItsStartDate()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.RulesOnlyAsync();
        await p.AddGroupAsync(Example4);
        var noStart = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Someday"}""");
        var assigned = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Taken","assignedTo":["ann"],"startDate":"2026-03-27T18:00:00Z"}""");
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Migration","supervisors":["sue"],"startDate":"2026-03-27T18:00:00Z"}""");

        Assert.Empty(await p.ScheduleAsync(noStart)); // no anchor value: ignored
        Assert.Empty(await p.ScheduleAsync(assigned));
        Assert.Equal(["Starts within 30 minutes pending 2026-03-27T17:30:00Z"], await p.ScheduleLinesAsync(item));

        await p.AdvanceToAsync("2026-03-27T17:30:00Z");
        Assert.Equal(["pat", "sue"], (await p.RecipientsAsync(item)).Order());

        // Moved earlier than the due it fired for: it does not fire again.
        await p.PatchAsync(item, """{"startDate":"2026-03-27T17:45:00Z"}""");
        await p.AdvanceToAsync("2026-03-27T19:00:00Z");
        Assert.Equal(2, (await p.MessagesAsync(item)).Count);

        // Moved later: it fires again at the new due.
        await p.PatchAsync(item, """{"startDate":"2026-03-28T10:00:00Z"}""");
        Assert.Contains("Starts within 30 minutes pending 2026-03-28T09:30:00Z", await p.ScheduleLinesAsync(item));
        await p.AdvanceToAsync("2026-03-28T09:30:00Z");
        Assert.Equal(4, (await p.MessagesAsync(item)).Count);

        // Assigned: it leaves the group, and a later start no longer alerts anyone.
        await p.PatchAsync(item, """{"assignedTo":["ann"],"startDate":"2026-03-29T10:00:00Z"}""");
        await p.AdvanceToAsync("2026-03-30T10:00:00Z");
        Assert.Equal(4, (await p.MessagesAsync(item)).Count);
        Assert.Empty(await p.MessagesAsync(noStart));
    }

    [Fact]
    public async Task Example5_NotStartedAndPastEndDateMinusEstimatedHours_AlertsAndReschedulesOnEveryChange()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.RulesOnlyAsync();
        await p.AddGroupAsync("""
            {"name":"Behind schedule","tracker":"TASK","filter":"status not in (\"In Progress\", \"Resolved\", \"Closed\") and resolution is empty","rules":[
              {"name":"Not started in time","anchor":"endDate","limit":"-estimatedHours","unit":"hours","basis":"working","actions":{"notify":{"assignees":true,"supervisors":true,"roles":["Project Admin"],"onlyDirectMembers":true}}}]}
            """);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Report","assignedTo":["ann"],"supervisors":["sam"],"endDate":"2026-03-31T17:00:00Z","estimatedHours":10}""");
        var noEnd = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Open-ended","estimatedHours":10}""");
        var noEstimate = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Unestimated","endDate":"2026-03-31T12:00:00Z"}""");

        // Tuesday 17:00 minus 10 working hours: all of Tuesday (8) and Monday 15:00–17:00.
        Assert.Equal(["Not started in time pending 2026-03-30T15:00:00Z"], await p.ScheduleLinesAsync(item));
        Assert.Empty(await p.ScheduleAsync(noEnd));
        Assert.Equal(["Not started in time pending 2026-03-31T12:00:00Z"], await p.ScheduleLinesAsync(noEstimate)); // no estimate: due at the end date

        await p.PatchAsync(item, """{"estimatedHours":2}""");
        Assert.Equal(["Not started in time pending 2026-03-31T15:00:00Z"], await p.ScheduleLinesAsync(item));
        await p.PatchAsync(item, """{"endDate":"2026-04-01T17:00:00Z"}""");
        Assert.Equal(["Not started in time pending 2026-04-01T15:00:00Z"], await p.ScheduleLinesAsync(item));

        await p.AdvanceToAsync("2026-04-01T15:00:00Z");
        Assert.Equal(["ann", "pat", "sam"], (await p.RecipientsAsync(item)).Order());
        Assert.Single(await p.MessagesAsync(noEstimate), m => m.Recipient == "pat");
    }

    [Fact]
    public async Task Example6_MissedDeadline_AlertsAndRepeatsEveryEightHoursUntilClosed()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.RulesOnlyAsync();
        await p.AddGroupAsync("""
            {"name":"Open issues","tracker":"TASK","filter":"status not in (\"Resolved\", \"Closed\")","rules":[
              {"name":"Missed deadline","anchor":"endDate","limit":"8","unit":"hours","basis":"calendar","actions":{"notify":{"assignees":true,"supervisors":true,"roles":["Project Admin"],"onlyDirectMembers":true}}},
              {"name":"Every 8 hours","anchor":"afterLastEscalation","limit":"8","unit":"hours","basis":"calendar","actions":{"notify":{"assignees":true}}}]}
            """);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Release","assignedTo":["ann"],"supervisors":["sam"],"endDate":"2026-03-27T14:00:00Z"}""");
        Assert.Equal(["Missed deadline pending 2026-03-27T22:00:00Z"], await p.ScheduleLinesAsync(item));

        await p.AdvanceToAsync("2026-03-28T22:00:00Z");
        Assert.Equal(
        [
            "Missed deadline fired 2026-03-27T22:00:00Z fired 2026-03-27T22:00:00Z",
            "Every 8 hours fired 2026-03-28T06:00:00Z fired 2026-03-28T06:00:00Z",
            "Every 8 hours fired 2026-03-28T14:00:00Z fired 2026-03-28T14:00:00Z",
            "Every 8 hours fired 2026-03-28T22:00:00Z fired 2026-03-28T22:00:00Z",
            "Every 8 hours pending 2026-03-29T06:00:00Z",
        ], await p.ScheduleLinesAsync(item));
        Assert.Equal(["ann", "sam", "pat", "ann", "ann", "ann"], await p.RecipientsAsync(item)); // assignees, supervisors, then roles

        await p.TransitionAsync(item, "Close");
        await p.AdvanceToAsync("2026-04-02T00:00:00Z");
        Assert.Equal(6, (await p.MessagesAsync(item)).Count);
        Assert.EndsWith("cancelled 2026-03-29T06:00:00Z", (await p.ScheduleLinesAsync(item))[^1]);
    }

    [Fact]
    public async Task Schedule_NeedsViewEscalationSchedule_AndReminders_FireForTheirAuthor()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync(Example1);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":1}""");
        var ann = p.Server.ClientFor((await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/ann/tokens", "{}")))["token"]!.ToString());

        using (var refused = await ann.GetAsync($"/api/v1/items/{item}/escalations"))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // Engineers lack "View Escalation Schedule" by default

        await Users.ExpectAsync(HttpStatusCode.Created, ann.PostJsonAsync($"/api/v1/items/{item}/reminders", """{"at":"2026-03-27T14:30:00Z","note":"Call the customer"}"""));
        await Users.ExpectAsync(HttpStatusCode.BadRequest, ann.PostJsonAsync($"/api/v1/items/{item}/reminders", """{"at":"half past two"}"""));
        Assert.Equal(
        [
            "Reminder pending 2026-03-27T14:30:00Z",
            "Verify within the limit pending 2026-03-27T15:00:00Z",
        ], await p.ScheduleLinesAsync(item));

        await p.AdvanceToAsync("2026-03-27T14:30:00Z");
        var reminder = Assert.Single(await p.MessagesAsync(item));
        Assert.Equal("ann", reminder.Recipient);
        Assert.Contains("Call the customer", reminder.Subject);
        var entry = (await p.ScheduleAsync(item))[0]!;
        Assert.Equal("reminder", (string)entry["type"]!);
        Assert.Equal("fired", (string)entry["status"]!);
    }

    [Fact]
    public async Task RuleChanges_ShowInTheScheduleAtOnce_AndInvalidGroupsAreRefusedStoringNothing()
    {
        await using var p = await EscalationProject.StartAsync();
        var id = await p.AddGroupAsync(Example1);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Typo","priority":3}""");
        Assert.Equal(["Verify within the limit pending 2026-03-30T10:00:00Z"], await p.ScheduleLinesAsync(item));

        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync($"/api/v1/projects/{EscalationProject.Key}/escalation-groups/{id}", Example1.Replace("? 1 : 4", "? 1 : 2")));
        Assert.Equal(["Verify within the limit pending 2026-03-27T16:00:00Z"], await p.ScheduleLinesAsync(item));

        var before = await p.Admin.GetTextAsync($"/api/v1/projects/{EscalationProject.Key}/escalation-groups");
        var refused = await Users.ExpectAsync(HttpStatusCode.BadRequest, p.Admin.PostJsonAsync($"/api/v1/projects/{EscalationProject.Key}/escalation-groups",
            Example1.Replace("(priority == 1 or priority == 2) ? 1 : 4", "(priority == 1 or priority == 2 ? 1 : 4")));
        Assert.Contains("rules[0].limit", refused["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("expected ')'", (string)refused["detail"]!);
        Assert.Equal(before, await p.Admin.GetTextAsync($"/api/v1/projects/{EscalationProject.Key}/escalation-groups"));

        await Users.ExpectAsync(HttpStatusCode.NoContent, p.Admin.DeleteAsync($"/api/v1/projects/{EscalationProject.Key}/escalation-groups/{id}"));
        Assert.Equal(["Verify within the limit cancelled 2026-03-27T16:00:00Z"], await p.ScheduleLinesAsync(item));
    }

    [Fact]
    public async Task ACalendarChange_ReschedulesTheItemsCountingTimeOnIt()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync(Example1);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Typo","priority":3}""");
        Assert.Equal(["Verify within the limit pending 2026-03-30T10:00:00Z"], await p.ScheduleLinesAsync(item));

        // The project's own calendar starts working on Saturday mornings: 3 h on Friday, 1 h on Saturday.
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync("/api/v1/calendars/project-seed",
            """{"name":"Seed calendar","parent":"system","weeklyHours":[{"weekday":"Saturday","hours":"09:00-12:00"}]}"""));
        Assert.Equal(["Verify within the limit pending 2026-03-28T10:00:00Z"], await p.ScheduleLinesAsync(item));
    }

    [Fact]
    public async Task ALimitThatCannotBeComputed_ShowsAsFailedWithTheReason_AndNeverFires()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync("""{"name":"Days","tracker":"TASK","filter":"true","rules":[{"name":"In days","anchor":"submittedAt","limit":"estimatedHours","unit":"days","actions":{"notify":{"roles":["Project Admin"]}}}]}""");
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Half a day","estimatedHours":1.5}""");
        var entry = Assert.Single(await p.ScheduleAsync(item))!;
        Assert.Equal("failed", (string)entry["status"]!);
        Assert.Contains("whole number", (string)entry["error"]!);
        await p.AdvanceToAsync("2026-03-30T12:00:00Z");
        Assert.Empty(await p.MessagesAsync(item));

        await p.PatchAsync(item, """{"estimatedHours":2}""");
        Assert.Equal(["In days pending 2026-03-31T14:00:00Z"], await p.ScheduleLinesAsync(item)); // fixed by the item: scheduled again
    }

    [Fact]
    public async Task ActionsThatKeepRetriggeringTheirRule_StopAtTheChainLimit()
    {
        await using var p = await EscalationProject.StartAsync();
        // Each firing moves the anchor one minute later, but the due stays in the past: without a bound this never ends.
        await p.AddGroupAsync("""{"name":"Loop","tracker":"TASK","filter":"true","rules":[{"name":"Push","anchor":"startDate","limit":"-60","unit":"minutes","basis":"calendar","actions":{"set":{"startDate":"=startDate + 1m"}}}]}""");
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Loop","startDate":"2026-03-27T14:30:00Z"}""");
        await p.AdvanceToAsync("2026-03-27T14:00:00Z");

        var schedule = await p.ScheduleAsync(item);
        Assert.Equal(20, schedule.Count(e => (string)e!["status"]! == "fired"));
        var stopped = Assert.Single(schedule, e => (string)e!["status"]! == "failed")!;
        Assert.Contains("chain stops", (string)stopped["error"]!);
        Assert.Equal("2026-03-27T14:50:00Z", (string)(await p.ItemAsync(item))["startDate"]!);
    }
}
