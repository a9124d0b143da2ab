using System.Net;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>
/// The seed's support policy (seed 000) run end to end on a project made from the <c>support</c> template, over HTTP
/// on the manual clock. Support business hours are 09:00–17:00 in London; engineering works 09:00–17:00 in Los Angeles.
/// </summary>
public class SupportTemplateTests
{
    private static string Incident(int severity, string summary, string customer = "carl") =>
        $$$"""{"tracker":"INC","summary":"{{{summary}}}","severity":{{{severity}}},"assignedTo":["alice"],"fields":{"customer":"{{{customer}}}","product":"Server"}}""";

    private const string Bug = """{"tracker":"BUG","summary":"Crash when the index is rebuilt","fields":{"product":"Server"}}""";

    [Fact]
    public async Task Template_SetsUpTrackersCalendarsRolesAndGroups_WithTheSeverityDefinitionsWhereSeverityIsPicked()
    {
        await using var desk = await SupportDesk.StartAsync();

        var project = await desk.Admin.GetJsonAsync($"/api/v1/projects/{SupportDesk.Key}");
        Assert.Equal("support-sup", (string)project["calendar"]!);
        Assert.Contains("escalations.view", project["roles"]!["Support Engineer"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["Customer", "Distribution", "Engineer", "Engineering Manager", "Project Admin", "QA", "Support Engineer"],
            project["roles"]!.AsObject().Select(r => r.Key));

        var incident = await desk.As("alice").GetJsonAsync($"/api/v1/projects/{SupportDesk.Key}/trackers/INC");
        var severities = incident["descriptions"]!["severity"]!;
        Assert.StartsWith("Severity 1: fatal errors", (string)severities["1"]!);
        Assert.Contains("72 hours", (string)severities["2"]!);
        Assert.Contains("two weeks", (string)severities["3"]!);
        Assert.Equal("Bug", (string)(await desk.Admin.GetJsonAsync($"/api/v1/projects/{SupportDesk.Key}/trackers/BUG"))["name"]!);

        var engineering = await desk.Admin.GetJsonAsync("/api/v1/calendars/engineering-sup");
        Assert.Equal("America/Los_Angeles", (string)engineering["timeZone"]!);
        Assert.Equal("Europe/London", (string)(await desk.Admin.GetJsonAsync("/api/v1/calendars/support-sup"))["timeZone"]!);

        var groups = (JsonArray)await desk.Admin.GetJsonAsync($"/api/v1/projects/{SupportDesk.Key}/escalation-groups");
        Assert.Equal(9, groups.Count);
        Assert.Contains(groups, g => (string)g!["group"]!["name"]! == "Severity 1: escalate within 4 business hours");

        // The on-call roster is data a project admin reads and edits.
        var roster = await desk.As("alice").GetJsonAsync($"/api/v1/projects/{SupportDesk.Key}/on-call");
        Assert.Equal(["mia", "max"], roster["shifts"]!.AsArray().Select(s => (string)s!["login"]!));
        Assert.Empty(roster["onCallNow"]!.AsArray()); // Friday 14:00: nobody until 17:00
        await desk.Server.AssertRefusedAsync(desk.As("alice"), HttpMethod.Put, $"/api/v1/projects/{SupportDesk.Key}/on-call",
            """{"shifts":[]}""", [$"/api/v1/projects/{SupportDesk.Key}/on-call"]);
        var refused = await Users.ExpectAsync(HttpStatusCode.BadRequest, desk.Admin.PutJsonAsync($"/api/v1/projects/{SupportDesk.Key}/on-call",
            """{"shifts":[{"login":"nobody","from":"2026-03-27T17:00:00Z","until":"2026-03-28T17:00:00Z"},{"login":"mia","from":"2026-03-28T17:00:00Z","until":"2026-03-27T17:00:00Z"}]}"""));
        Assert.Equal(["shifts[0].login", "shifts[1].until"], refused["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(["mia", "max"], (await desk.Admin.GetJsonAsync($"/api/v1/projects/{SupportDesk.Key}/on-call"))["shifts"]!.AsArray().Select(s => (string)s!["login"]!));
    }

    [Fact]
    public async Task ATrackerWithAWrongStampOrDescription_IsRefusedNamingTheField_AndNothingIsStored()
    {
        await using var desk = await SupportDesk.StartAsync();
        var path = $"/api/v1/projects/{SupportDesk.Key}/trackers/INC";
        var tracker = await desk.Admin.GetJsonAsync(path);
        tracker["fields"]!.AsArray().Add(JsonNode.Parse("""{"name":"seenAt","type":"datetime","stampOn":["fields.nothing"]}"""));
        tracker["descriptions"]!["fields.product"] = JsonNode.Parse("""{"Mainframe":"Not a product"}""");

        await desk.Server.AssertRefusedAsync(desk.Admin, HttpMethod.Put, path, tracker.ToJsonString(), [path], HttpStatusCode.BadRequest);
        using var response = await desk.Admin.PutJsonAsync(path, tracker.ToJsonString());
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        Assert.Equal(["fields[8].stampOn", "descriptions.fields.product.Mainframe"], errors.Select(e => e.Key));
    }

    [Fact]
    public async Task UnknownTemplate_IsRefusedAndNothingIsStored()
    {
        await using var server = await RunningServer.StartAsync();
        var refused = await Users.ExpectAsync(HttpStatusCode.BadRequest, server.Client.PostJsonAsync("/api/v1/projects", """{"key":"SUP","name":"Support","template":"helpdesk"}"""));
        Assert.Contains("there is no template 'helpdesk'", (string)refused["detail"]!);
        Assert.Empty((JsonArray)await server.Client.GetJsonAsync("/api/v1/projects"));

        await Users.ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/projects", """{"key":"SUP","name":"Support","template":"support"}"""));
        var conflict = await Users.ExpectAsync(HttpStatusCode.Conflict, server.Client.PostJsonAsync("/api/v1/projects", """{"key":"SUP","name":"Again","template":"support"}"""));
        Assert.Contains("already exists", (string)conflict["detail"]!);

        // A second support project gets tracker keys of its own.
        await Users.ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync("/api/v1/projects", """{"key":"EMEA","name":"EMEA support","template":"support"}"""));
        Assert.Equal(["EMEABUG", "EMEAINC"], ((JsonArray)await server.Client.GetJsonAsync("/api/v1/projects/EMEA/trackers")).Select(t => (string)t!["key"]!));
    }

    [Fact]
    public async Task Severity1_SubmittedFridayAfternoon_IsEscalatedMondayAfterFourBusinessHours_AndTheOnCallManagerIsCalled()
    {
        await using var desk = await SupportDesk.StartAsync();
        await desk.AdvanceToAsync("2026-03-27T15:00:00Z"); // Friday 15:00 in London
        var incident = await desk.CreateAsync(Incident(1, "Production server down"));
        var bug = await desk.CreateAsync(Bug);
        await desk.LinkBugReportAsync(incident, bug);

        // 2 business hours on Friday, 2 on Monday: Monday 11:00 in London (BST) — not Friday 19:00.
        Assert.Contains("Escalate to engineering pending 2026-03-30T10:00:00Z", await desk.ScheduleLinesAsync(incident));
        await desk.AdvanceToAsync("2026-03-27T19:00:00Z");
        Assert.Equal("New", await desk.StatusAsync(incident));
        await desk.AdvanceToAsync("2026-03-30T09:59:59Z");
        Assert.Equal("New", await desk.StatusAsync(incident));
        Assert.Empty(await desk.MessagesFor(incident));

        await desk.AdvanceToAsync("2026-03-30T10:00:00Z");
        var item = await desk.ItemAsync(incident);
        Assert.Equal("Escalated", (string)item["status"]!);
        Assert.Equal(["alice"], item["assignedTo"]!.AsArray().Select(a => (string)a!)); // support stays the incident owner
        var escalation = (await desk.HistoryAsync(incident)).Single(h => (string?)h!["transition"] == "Escalate to engineering")!;
        Assert.StartsWith("escalation:", (string)escalation["actor"]!);

        // The escalation is mailed to the support owner and every engineering manager, one mail each.
        var mails = await desk.MessagesFor(incident);
        Assert.Equal(["alice", "max", "mia"], mails.Select(m => m.Recipient).Order());
        const string escalated = "Severity 1: escalate within 4 business hours: Escalate to engineering (New → Escalated)";
        Assert.Equal($"[{incident}] Production server down — {escalated}", mails.Single(m => m.Recipient == "max").Subject);
        Assert.Equal($"[{incident}] Production server down — {escalated}", mails.Single(m => m.Recipient == "alice").Subject);
        Assert.DoesNotContain("on call", mails.Single(m => m.Recipient == "max").Body);

        // Monday 03:00 in Los Angeles: engineering is closed, so mia, on call, is told at once to assign an engineer —
        // in the same mail as the escalation, as both rules fired for the incident at one instant.
        var call = mails.Single(m => m.Recipient == "mia");
        Assert.Equal("mia@example.test", call.Email);
        Assert.Equal($"[{incident}] Production server down — 2 rules fired: Severity 1: escalate within 4 business hours: level 1 'Escalate to engineering'; " +
            "Severity 1 outside engineering hours: on-call manager: level 1 'Call the on-call engineering manager'", call.Subject);
        Assert.Contains("Moved from New to Escalated by this escalation.", call.Body);
        // Each part of the combined mail keeps its rule's own subject as its heading.
        Assert.Contains($"[{incident}] Severity 1 escalated outside engineering hours: assign a responsible engineer", call.Body);
        Assert.Contains("outside engineering business hours.", call.Body);
        Assert.Contains("You are the engineering manager on call: set the incident's engineer (fields.engineer) to the responsible engineer.", call.Body);
        Assert.Contains("Support owner: alice", call.Body);
        Assert.Contains("Customer: carl", call.Body);
        Assert.DoesNotContain(await desk.MailsTo("max"), m => m.Body.Contains("on call"));

        // mia assigns bob within the hour: the next level is not alerted.
        await desk.PatchAsync(incident, """{"fields":{"engineer":"bob"}}""", "mia");
        await desk.AdvanceToAsync("2026-03-30T12:00:00Z");
        Assert.Equal(3, (await desk.MessagesFor(incident)).Count);
        Assert.Equal("bob", (string)(await desk.ItemAsync(incident))["fields"]!["engineer"]!); // engineering owns the resolution
    }

    [Fact]
    public async Task Severity1_OutOfHoursWithNobodyAssignedWithinAnHour_AlertsEveryEngineeringManager()
    {
        await using var desk = await SupportDesk.StartAsync();
        await desk.AdvanceToAsync("2026-03-28T10:00:00Z"); // Saturday
        var incident = await desk.CreateAsync(Incident(1, "Data loss on the cluster"));
        var bug = await desk.CreateAsync(Bug);
        await desk.LinkBugReportAsync(incident, bug);
        await desk.TransitionAsync(incident, "Escalate to engineering");
        await desk.SettleAsync();
        var call = Assert.Single(await desk.MessagesFor(incident));
        Assert.Equal(("mia", "mia@example.test"), (call.Recipient, call.Email));
        Assert.Equal($"[{incident}] Severity 1 escalated outside engineering hours: assign a responsible engineer", call.Subject); // the rule's own subject
        Assert.Contains("Customer: carl", call.Body);

        await desk.AdvanceToAsync("2026-03-28T10:59:59Z");
        Assert.Single(await desk.MessagesFor(incident));
        await desk.AdvanceToAsync("2026-03-28T11:00:00Z");
        var alerts = (await desk.MessagesFor(incident)).Skip(1).ToList();
        Assert.Equal(["max", "mia"], alerts.Select(m => m.Recipient).Order());
        Assert.All(alerts, m => Assert.Equal($"[{incident}] Data loss on the cluster — Severity 1 outside engineering hours: on-call manager: Nobody assigned: alert every engineering manager", m.Subject));
    }

    [Fact]
    public async Task EscalationWithoutABugReport_IsRefusedWithAClearMessage_AndTheIncidentIsUnchanged()
    {
        await using var desk = await SupportDesk.StartAsync();
        var incident = await desk.CreateAsync(Incident(2, "Reports render slowly"));
        await desk.TransitionAsync(incident, "Start troubleshooting");

        await desk.Server.AssertRefusedAsync(desk.As("alice"), HttpMethod.Post, $"/api/v1/items/{incident}/transitions", """{"transition":"Escalate to engineering"}""",
            [$"/api/v1/items/{incident}", $"/api/v1/items/{incident}/history", $"/api/v1/items/{incident}/links"], HttpStatusCode.Conflict);
        using var response = await desk.As("alice").PostJsonAsync($"/api/v1/items/{incident}/transitions", """{"transition":"Escalate to engineering"}""");
        var problem = await response.ReadJsonAsync();
        Assert.Contains("Escalate to engineering requires a link of type 'bug-report'", (string)problem["detail"]!);
        await desk.SettleAsync();
        Assert.Empty(await desk.MessagesFor(incident)); // a refused escalation mails nobody

        // The escalation rule meets the same requirement: at its due it records why it could not escalate.
        await desk.AdvanceToAsync("2026-04-09T12:59:59Z");
        Assert.Empty(await desk.MessagesFor(incident));
        await desk.AdvanceToAsync("2026-04-09T13:00:00Z");
        Assert.Equal("Troubleshooting", await desk.StatusAsync(incident));
        var notices = await desk.MessagesFor(incident);
        Assert.Equal(["alice", "max", "mia"], notices.Select(m => m.Recipient).Order());
        Assert.All(notices, notice =>
        {
            Assert.Equal($"[{incident}] Reports render slowly — Severity 2: escalate after 72 hours of troubleshooting: Escalate to engineering", notice.Subject);
            Assert.Contains($"- transition 'Escalate to engineering' not run: {incident}: Escalate to engineering requires a link of type 'bug-report'.", notice.Body);
        });
    }

    [Fact]
    public async Task Severity2_IsTroubleshotFor72WorkingHours_OverTheEasterHolidays_ThenEscalated()
    {
        await using var desk = await SupportDesk.StartAsync();
        await desk.AdvanceToAsync("2026-03-27T15:00:00Z");
        var incident = await desk.CreateAsync(Incident(2, "Exports miss the last row"));
        await desk.LinkBugReportAsync(incident, await desk.CreateAsync(Bug));
        await desk.TransitionAsync(incident, "Start troubleshooting");
        // 2 hours on Friday, then 8 a day: Thursday 9 April 15:00 in London.
        Assert.Equal(["Escalate to engineering pending 2026-04-09T14:00:00Z"], await desk.ScheduleLinesAsync(incident));

        // Good Friday and Easter Monday are holidays of the support calendar: two working days later.
        await Users.ExpectAsync(HttpStatusCode.OK, desk.Admin.PutJsonAsync("/api/v1/calendars/support-sup", """
            {"name":"Support: support business hours","timeZone":"Europe/London","parent":"system",
             "weeklyHours":[{"weekday":"Monday","hours":"09:00-17:00"},{"weekday":"Tuesday","hours":"09:00-17:00"},{"weekday":"Wednesday","hours":"09:00-17:00"},
                            {"weekday":"Thursday","hours":"09:00-17:00"},{"weekday":"Friday","hours":"09:00-17:00"}],
             "specialDays":[{"name":"Good Friday","date":"2026-04-03","kind":"holiday"},{"name":"Easter Monday","date":"2026-04-06","kind":"holiday"}]}
            """));
        Assert.Equal(["Escalate to engineering pending 2026-04-13T14:00:00Z"], await desk.ScheduleLinesAsync(incident));

        await desk.AdvanceToAsync("2026-04-13T13:59:59Z");
        Assert.Equal("Troubleshooting", await desk.StatusAsync(incident));
        Assert.Empty(await desk.MessagesFor(incident));
        await desk.AdvanceToAsync("2026-04-13T14:00:00Z");
        Assert.Equal("Escalated", await desk.StatusAsync(incident));
        var mails = await desk.MessagesFor(incident);
        Assert.Equal(["alice", "max", "mia"], mails.Select(m => m.Recipient).Order());
        Assert.All(mails, m =>
        {
            Assert.Equal($"[{incident}] Exports miss the last row — Severity 2: escalate after 72 hours of troubleshooting: Escalate to engineering (Troubleshooting → Escalated)", m.Subject);
            Assert.Contains("Due 2026-04-13T14:00:00Z: submittedAt + 72 hours of working time.", m.Body);
        });
    }

    [Fact]
    public async Task Severity3_IsEscalatedAtOnceWhenSupportConfirmsABug_OtherwiseAfterTwoWeeks()
    {
        await using var desk = await SupportDesk.StartAsync();
        var confirmed = await desk.CreateAsync(Incident(3, "Tooltip shows the wrong unit"));
        var waiting = await desk.CreateAsync(Incident(3, "Column header truncated", "cora"));
        await desk.LinkBugReportAsync(confirmed, await desk.CreateAsync(Bug));
        // Two weeks = 10 working days: Friday 10 April, same time of day (15:00 in London, BST).
        Assert.Equal(["Two weeks without a solution path pending 2026-04-10T13:00:00Z"], await desk.ScheduleLinesAsync(waiting));

        await desk.AdvanceToAsync("2026-03-30T11:00:00Z");
        await desk.PatchAsync(confirmed, """{"fields":{"confirmedBug":true}}""", "alice");
        await desk.SettleAsync();
        Assert.Equal("Escalated", await desk.StatusAsync(confirmed));
        var escalated = (await desk.HistoryAsync(confirmed)).Single(h => (string?)h!["transition"] == "Escalate to engineering")!;
        Assert.Equal("2026-03-30T11:00:00Z", (string)escalated["at"]!);
        Assert.Equal("New", await desk.StatusAsync(waiting));
        var mails = await desk.MessagesFor(confirmed);
        Assert.Equal(["alice", "max", "mia"], mails.Select(m => m.Recipient).Order());
        Assert.All(mails, m => Assert.Equal(
            $"[{confirmed}] Tooltip shows the wrong unit — Severity 3: escalate after two weeks, or when a bug is confirmed: Confirmed software error (New → Escalated)", m.Subject));
        Assert.Empty(await desk.MessagesFor(waiting));
    }

    [Fact]
    public async Task Severity1Assessment_MissingAfter24Hours_AlertsTheEngineeringManagers_GivenInTime_NothingFires()
    {
        await using var desk = await SupportDesk.StartAsync();
        await desk.AdvanceToAsync("2026-03-30T17:00:00Z"); // Monday 10:00 in Los Angeles: engineering is at work
        var silent = await desk.CreateAsync(Incident(1, "Checkout fails"));
        var assessed = await desk.CreateAsync(Incident(1, "Login loops", "cora"));
        foreach (var incident in new[] { silent, assessed })
        {
            await desk.LinkBugReportAsync(incident, await desk.CreateAsync(Bug));
            await desk.TransitionAsync(incident, "Escalate to engineering");
        }
        await desk.SettleAsync();
        Assert.Empty(await desk.MessagesFor(silent)); // in engineering hours nobody on call is called
        Assert.Equal(["Escalate to engineering cancelled 2026-03-31T12:00:00Z", "Assessment missing pending 2026-03-31T17:00:00Z"], await desk.ScheduleLinesAsync(silent));

        await desk.AdvanceToAsync("2026-03-31T09:00:00Z");
        await desk.PatchAsync(assessed, """{"fields":{"engineer":"erin","assessment":"Session cookie rejected by the proxy","expectedResolution":"2026-04-02T17:00:00Z"}}""", "erin");
        await desk.AdvanceToAsync("2026-04-02T00:00:00Z");

        // The managers, and the support owner who keeps the customer informed.
        var alerts = await desk.MessagesFor(silent);
        Assert.Equal(["alice", "max", "mia"], alerts.Select(m => m.Recipient).Order());
        Assert.All(alerts, m =>
        {
            Assert.Equal($"[{silent}] Checkout fails — Severity 1: engineering assessment within 24 hours: Assessment missing", m.Subject);
            Assert.Contains("Due 2026-03-31T17:00:00Z: fields.statusChangedAt + 24 hours of calendar time.", m.Body);
        });
        Assert.Empty(await desk.MessagesFor(assessed));
        Assert.Contains("Assessment missing cancelled 2026-03-31T17:00:00Z", await desk.ScheduleLinesAsync(assessed));
    }

    [Fact]
    public async Task BugResolvedVerifiedAndClosed_MailsDistributionAndSupport_WithTheIncidentsAndTheirCustomers()
    {
        await using var desk = await SupportDesk.StartAsync();
        // This is about what the closing rule sends: people's own transitions and assignments tell nobody here
        // (ChangeMessagesTests shows what they send).
        await Users.ExpectAsync(HttpStatusCode.OK, desk.Admin.PutJsonAsync($"/api/v1/projects/{SupportDesk.Key}/notification-settings",
            """{"changeMessages":{"transitions":false,"assignments":false}}"""));
        var bug = await desk.CreateAsync(Bug);
        var first = await desk.CreateAsync(Incident(2, "Index rebuild crashes"));
        var second = await desk.CreateAsync(Incident(2, "Nightly job crashes", "cora"));
        await desk.LinkBugReportAsync(first, bug);
        await desk.LinkBugReportAsync(second, bug);
        await desk.TransitionAsync(first, "Escalate to engineering");
        await desk.TransitionAsync(second, "Escalate to engineering");
        await desk.PatchAsync(bug, """{"assignedTo":["bob"]}""", "mia");
        await desk.TransitionAsync(bug, "Start work", "bob");

        // Resolved needs the version that fixes it.
        using (var refused = await desk.As("bob").PostJsonAsync($"/api/v1/items/{bug}/transitions", """{"transition":"Resolve"}"""))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("fields.fixVersion", (string)(await refused.ReadJsonAsync())["detail"]!);
        }
        await desk.PatchAsync(bug, """{"fields":{"fixVersion":"4.2.1"}}""", "bob");
        await desk.TransitionAsync(bug, "Resolve", "bob");
        await desk.TransitionAsync(bug, "Verify", "quinn");
        await desk.AdvanceToAsync("2026-03-27T16:00:00Z");
        Assert.Empty(await desk.MailsTo("dora")); // verified is not yet closed
        await desk.TransitionAsync(bug, "Close", "quinn");
        await desk.SettleAsync();

        var mails = await desk.MessagesFor(bug);
        Assert.Equal(["alice", "dora"], mails.Select(m => m.Recipient).Order());
        Assert.All(mails, m => Assert.Equal($"[{bug}] Fixed in Server 4.2.1: Crash when the index is rebuilt", m.Subject));
        Assert.Contains("make the corrected version available for download", mails.Single(m => m.Recipient == "dora").Body);
        var toSupport = mails.Single(m => m.Recipient == "alice");
        Assert.Contains($"- {first} (bug-report) Index rebuild crashes [Escalated]; customer: carl", toSupport.Body);
        Assert.Contains($"- {second} (bug-report) Nightly job crashes [Escalated]; customer: cora", toSupport.Body);
        var recorded = (await desk.HistoryAsync(bug)).Single(h => (string)h!["field"]! == "notified")!;
        Assert.StartsWith("dora, alice: ", (string)recorded["newValue"]!); // roles in the rule's order

        // Support tells each customer; the incident records it.
        await desk.TransitionAsync(first, "Customer told of fix");
        var told = (await desk.HistoryAsync(first)).Single(h => (string?)h!["transition"] == "Customer told of fix")!;
        Assert.Equal("alice", (string)told["actor"]!);
        Assert.Equal("Resolved", await desk.StatusAsync(first));
    }

    [Fact]
    public async Task BugFlaggedDataProcessing_MailsEachCustomerOfTheProductOnce_AndOneUpdateWhenTheTargetReleaseChanges()
    {
        await using var desk = await SupportDesk.StartAsync();
        var bug = await desk.CreateAsync("""{"tracker":"BUG","summary":"Totals double-count refunds","assignedTo":["bob"],"fields":{"product":"Server"}}""", "bob");
        await desk.AdvanceToAsync("2026-03-27T15:00:00Z");
        Assert.Empty(await desk.MessagesFor(bug)); // not flagged: nobody is told

        await desk.PatchAsync(bug, """{"fields":{"impactDataProcessing":true,"workaround":"Run the totals report twice and subtract refunds","targetRelease":"4.3"}}""", "bob");
        await desk.SettleAsync();
        var notices = await desk.MessagesFor(bug);
        Assert.Equal(["carl", "cora"], notices.Select(m => m.Recipient).Order()); // customers of Server; cliff uses Client
        Assert.Equal(["carl@example.test", "cora@example.test"], notices.Select(m => m.Email).Order());
        Assert.All(notices, m =>
        {
            Assert.Equal("Problem notice for Server: Totals double-count refunds", m.Subject);
            Assert.Contains("Workaround: Run the totals report twice and subtract refunds", m.Body);
            Assert.Contains("Fix targeted for release: 4.3", m.Body);
        });
        var recorded = (await desk.HistoryAsync(bug)).Single(h => (string)h!["field"]! == "notified")!;
        Assert.Equal("2026-03-27T15:00:00Z", (string)recorded["at"]!);
        Assert.StartsWith("carl, cora: ", (string)recorded["newValue"]!);

        // Other changes tell nobody; a new target release sends one update each.
        await desk.AdvanceToAsync("2026-03-30T09:00:00Z");
        await desk.PatchAsync(bug, """{"summary":"Totals double-count refunds in monthly reports"}""", "bob");
        await desk.SettleAsync();
        Assert.Equal(2, (await desk.MessagesFor(bug)).Count);
        await desk.PatchAsync(bug, """{"fields":{"targetRelease":"4.2.2"}}""", "bob");
        await desk.SettleAsync();
        var all = await desk.MessagesFor(bug);
        Assert.Equal(4, all.Count);
        var updates = all.Skip(2).ToList();
        Assert.Equal(["carl", "cora"], updates.Select(m => m.Recipient).Order());
        Assert.All(updates, m =>
        {
            Assert.StartsWith("Update: Problem notice for Server", m.Subject);
            Assert.Contains("Workaround: Run the totals report twice and subtract refunds", m.Body);
            Assert.Contains("Fix targeted for release: 4.2.2", m.Body);
        });
        Assert.Equal(2, (await desk.HistoryAsync(bug)).Count(h => (string)h!["field"]! == "notified"));
        Assert.Empty(await desk.MailsTo("cliff"));
    }

    [Fact]
    public async Task SecurityProblem_FollowsTheSamePath_MarkedAsSecurity()
    {
        await using var desk = await SupportDesk.StartAsync();
        var bug = await desk.CreateAsync("""{"tracker":"BUG","summary":"Session token in log files","assignedTo":["bob"],"fields":{"product":"Client","impactSecurity":true,"impactDisplay":true}}""", "bob");
        await desk.SettleAsync();
        var notice = Assert.Single(await desk.MessagesFor(bug));
        Assert.Equal("cliff", notice.Recipient);
        Assert.Equal("[Security] Problem notice for Client: Session token in log files", notice.Subject);
        Assert.Contains("Workaround: none", notice.Body);
    }
}
