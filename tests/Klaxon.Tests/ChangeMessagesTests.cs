using System.Net;
using System.Text.Json.Nodes;
using Klaxon.Core.Tracking;
using Klaxon.Delivery;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// Messages for changes made by people — assignments and workflow transitions — mailed through a real SMTP server and
/// posted to a real webhook receiver, on the seed-example project (pat Project Admin, ann and sam Engineers, sue Support
/// Engineer, gina Project Admin through a group).
/// </summary>
public class ChangeMessagesTests
{
    private const string Secret = "s3cret-for-the-receiver";

    private static string Settings => $"/api/v1/projects/{EscalationProject.Key}/notification-settings";

    private static async Task<string> CreateAsync(HttpClient client, string json) =>
        (string)(await Users.ExpectAsync(HttpStatusCode.Created, client.PostJsonAsync($"/api/v1/projects/{EscalationProject.Key}/items", json)))["key"]!;

    private static Task<JsonNode> PatchAsync(HttpClient client, string key, string json) =>
        Users.ExpectAsync(HttpStatusCode.OK, client.PatchAsync($"/api/v1/items/{key}", Http.Json(json)));

    private static Task<JsonNode> TransitionAsync(HttpClient client, string key, string transition) =>
        Users.ExpectAsync(HttpStatusCode.OK, client.PostJsonAsync($"/api/v1/items/{key}/transitions", $$"""{"transition":"{{transition}}"}"""));

    /// <summary>The item's outbox rows, once every one of them is sent: "recipient kind", sorted.</summary>
    private static async Task<List<string>> SentAsync(EscalationProject p, string item, int count) =>
        [.. (await p.Admin.WaitForNotificationsAsync($"item={item}", r => r.Count >= count && r.Statuses().All(s => s == "sent"), $"{count} messages sent"))
            .Select(r => $"{r!["recipient"]} {r["kind"]}").Order()];

    [Fact]
    public async Task Assigning_MailsExactlyTheNewlyAssigned_NeverTheActor_SayingWhoAndWhatChanged_WithALink()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        var ann = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/ann/tokens", "{}")))["token"]!);
        var sam = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/sam/tokens", "{}")))["token"]!);

        // Created by pat, assigned to ann and pat: ann is told, pat (who did it) is not.
        var item = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Disk full","priority":2,"assignedTo":["ann","pat"]}""");
        var first = Assert.Single(await sink.WaitForAsync(1));
        Assert.Equal("ann@example.test", first.To);
        Assert.Equal($"[{item}] Disk full — assigned to ann, pat by pat", first.Subject);
        Assert.Contains($"{item}: Disk full", first.Text);
        Assert.Contains("Status: New   Priority: 2", first.Text);
        Assert.Contains($"pat assigned {item} to ann, pat.", first.Text);
        Assert.Contains("- assignedTo: (nobody) → ann, pat", first.Text);
        Assert.Contains($"Item: http://klaxon.test/items/{item}", first.Text);
        Assert.Contains($"<a href=\"http://klaxon.test/items/{item}\">", first.Html);
        Assert.Equal(item, first.Headers["X-Klaxon-Item"]);
        Assert.Equal(["ann assignment"], await SentAsync(p, item, 1));
        var created = Assert.Single((JsonArray)await p.Admin.GetJsonAsync($"/api/v1/items/{item}/history"))!; // stored with the messages
        Assert.Equal(("created", item, "pat"), ((string)created["field"]!, (string)created["newValue"]!, (string)created["actor"]!));

        // A change that leaves the assignees alone tells nobody.
        await PatchAsync(ann, item, """{"priority":1,"description":"Only 2% left"}""");

        // sam replaces the assignees with himself and sue: only sue is new to it and not the actor.
        await PatchAsync(sam, item, """{"assignedTo":["sam","sue"]}""");
        var mails = await sink.WaitForAsync(2);
        var second = mails[1];
        Assert.Equal("sue@example.test", second.To);
        Assert.Equal($"[{item}] Disk full — assigned to sam, sue by sam", second.Subject);
        Assert.Contains($"sam assigned {item} to sam, sue.", second.Text);
        Assert.Contains("- assignedTo: ann, pat → sam, sue", second.Text);
        Assert.Contains("Priority: 1", second.Text); // the item as it is now
        Assert.Equal(["ann assignment", "sue assignment"], await SentAsync(p, item, 2));
        await Task.Delay(300);
        Assert.Equal(2, sink.Mails().Count);

        // The in-app list holds it too.
        var sue = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/sue/tokens", "{}")))["token"]!);
        var entry = Assert.Single((JsonArray)await sue.GetJsonAsync("/api/v1/me/notifications"))!;
        Assert.Equal(("assignment", item), ((string)entry["kind"]!, (string)entry["item"]!));
    }

    [Fact]
    public async Task Transition_TellsTheSubmitterAssigneesAndSupervisors_OnceEach_ButNotTheOneWhoRanIt()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        var sue = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/sue/tokens", "{}")))["token"]!);
        var ann = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/ann/tokens", "{}")))["token"]!);
        // sue files it, assigned to ann and sam, supervised by pat and ann.
        var item = await CreateAsync(sue, """{"tracker":"TASK","summary":"Mail queue stuck","assignedTo":["ann","sam"],"supervisors":["pat","ann"]}""");
        Assert.Equal(["ann assignment", "sam assignment"], await SentAsync(p, item, 2));
        await sink.WaitForAsync(2);

        await TransitionAsync(ann, item, "Start");

        Assert.Equal(["ann assignment", "pat transition", "sam assignment", "sam transition", "sue transition"], await SentAsync(p, item, 5));
        var told = (await sink.WaitForAsync(5)).Skip(2).ToList();
        Assert.Equal(["pat@example.test", "sam@example.test", "sue@example.test"], told.Select(m => m.To).Order());
        Assert.All(told, m =>
        {
            Assert.Equal($"[{item}] Mail queue stuck — Start: New → In Progress by ann", m.Subject);
            Assert.Contains("Status: In Progress", m.Text);
            Assert.Contains("ann ran 'Start': New → In Progress.", m.Text);
            Assert.Contains("- status: New → In Progress", m.Text);
            Assert.Contains($"Item: http://klaxon.test/items/{item}", m.Text);
            Assert.Contains("<li>status: New → In Progress</li>", m.Html);
        });
        await Task.Delay(300);
        Assert.Equal(5, sink.Mails().Count); // gina, a Project Admin but none of the item's people, heard nothing
    }

    [Fact]
    public async Task RefusedChanges_SendNothing_StaleForbiddenOrInvalid()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        var ann = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/ann/tokens", "{}")))["token"]!);
        var item = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Backup failed","supervisors":["sam"]}""");
        var path = $"/api/v1/items/{item}";
        string[] observed = [path, $"{path}/history", $"/api/v1/notifications?item={item}"];
        await PatchAsync(p.Pat.Client, item, """{"priority":3}"""); // version 2

        // 409: a stale version, on a transition and on an assignment.
        await p.Server.AssertRefusedAsync(ann, HttpMethod.Post, $"{path}/transitions", """{"transition":"Start","version":1}""", observed, HttpStatusCode.Conflict);
        await p.Server.AssertRefusedAsync(p.Pat.Client, HttpMethod.Patch, path, """{"assignedTo":["ann"],"version":1}""", observed, HttpStatusCode.Conflict);
        // 403: a transition the caller's role may not run, and a hidden one.
        await p.Server.AssertRefusedAsync(ann, HttpMethod.Post, $"{path}/transitions", """{"transition":"Close"}""", observed);
        await p.Server.AssertRefusedAsync(ann, HttpMethod.Post, $"{path}/transitions", """{"transition":"Mark unconfirmed"}""", observed);
        // 409: not a transition of the workflow; 400: an assignee who is not a member, or no transition named.
        await p.Server.AssertRefusedAsync(ann, HttpMethod.Post, $"{path}/transitions", """{"transition":"Fly"}""", observed, HttpStatusCode.Conflict);
        await p.Server.AssertRefusedAsync(p.Pat.Client, HttpMethod.Patch, path, """{"assignedTo":["ann","gina2"]}""", observed, HttpStatusCode.BadRequest);
        await p.Server.AssertRefusedAsync(ann, HttpMethod.Post, $"{path}/transitions", """{"transition":""}""", observed, HttpStatusCode.BadRequest);

        Assert.Empty(await p.Admin.NotificationsAsync($"item={item}"));
        await Task.Delay(300);
        Assert.Empty(sink.Mails());

        // The same changes, allowed, do send.
        await TransitionAsync(ann, item, "Start");
        Assert.Equal(["pat transition", "sam transition"], await SentAsync(p, item, 2));
    }

    [Fact]
    public async Task QuietHoursAndTheRateLimit_HoldPeoplesChangeMessages_AsTheyHoldRuleMessages()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync("/api/v1/users/ann/notification-settings", """{"quietHours":true}"""));
        await p.AdvanceToAsync("2026-03-28T10:00:00Z"); // Saturday: outside ann's working time on the system calendar

        var routine = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Routine","priority":3,"assignedTo":["ann"]}""");
        var urgent = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Everything is down","priority":1,"assignedTo":["ann"]}""");

        var held = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={routine}&status=held", r => r.Count == 1, "ann's routine assignment held"))!;
        Assert.Equal(("ann", "assignment", "quiet hours", "2026-03-30T09:00:00Z"),
            ((string)held["recipient"]!, (string)held["kind"]!, (string)held["held"]!, (string)held["nextAttemptAt"]!));
        var now = Assert.Single(await sink.WaitForAsync(1)); // urgent goes at once
        Assert.Equal($"[{urgent}] Everything is down — assigned to ann by pat", now.Subject);
        await p.AdvanceToAsync("2026-03-30T09:00:00Z");
        Assert.Equal($"[{routine}] Routine — assigned to ann by pat", (await sink.WaitForAsync(2))[1].Subject);

        // At most one mail to sam within 5 minutes: the second assignment waits for the digest.
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync(Settings, """{"rateLimit":{"messages":1,"minutes":5}}"""));
        var first = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"First","assignedTo":["sam"]}""");
        Assert.Equal(["sam assignment"], await SentAsync(p, first, 1));
        var second = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Second","assignedTo":["sam"]}""");
        var limited = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={second}&status=held", r => r.Count == 1, "sam's second assignment held"))!;
        Assert.Equal("rate limit", (string)limited["held"]!);
        await p.AdvanceToAsync("2026-03-30T09:05:00Z");
        var digest = (await sink.WaitForAsync(4))[3];
        Assert.Equal(("sam@example.test", "[Klaxon] Digest: 1 held messages"), (digest.To, digest.Subject));
        Assert.Contains($"[{second}] Second — assigned to sam by pat", digest.Text);
    }

    [Fact]
    public async Task Switches_TurnEachKindOff_PerProject_AndBadSettingsAreRefusedNamingTheField()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        var hook = "webhook:" + (long)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync($"/api/v1/projects/{EscalationProject.Key}/webhooks",
            $$"""{"url":"{{receiver.Url()}}","events":["transition","assignment"],"secret":"{{Secret}}"}""")))["id"]!;
        var defaults = await p.Admin.GetJsonAsync(Settings);
        Assert.True((bool)defaults["changeMessages"]!["transitions"]!);
        Assert.True((bool)defaults["changeMessages"]!["assignments"]!);

        await p.Server.AssertRefusedAsync(p.Admin, HttpMethod.Put, Settings, """{"changeMessages":{"transitions":false}}""", [Settings], HttpStatusCode.BadRequest);
        var problem = await Users.ExpectAsync(HttpStatusCode.BadRequest, p.Admin.PutJsonAsync(Settings, """{"changeMessages":{}}"""));
        Assert.Contains("is required: true or false", (string)problem["errors"]!["changeMessages.transitions"]![0]!);
        Assert.Contains("is required: true or false", (string)problem["errors"]!["changeMessages.assignments"]![0]!);
        await p.Server.AssertRefusedAsync(p.Admin, HttpMethod.Put, Settings, """{"changeMessages":{"transitions":false,"assignments":false,"comments":false}}""", [Settings], HttpStatusCode.BadRequest);
        var eve = await p.Server.CreateMemberAsync(EscalationProject.Key, "eve", "Engineer");
        await p.Server.AssertRefusedAsync(eve.Client, HttpMethod.Put, Settings, """{"changeMessages":{"transitions":false,"assignments":false}}""", [Settings]);

        // Both off: nothing is recorded for people's changes, neither mail nor webhook.
        var off = await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync(Settings, """{"changeMessages":{"transitions":false,"assignments":false}}"""));
        Assert.False((bool)off["changeMessages"]!["transitions"]!);
        Assert.Equal(10, (int)off["rateLimit"]!["messages"]!);
        var quiet = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Quiet","assignedTo":["ann"],"supervisors":["sam"]}""");
        await PatchAsync(p.Pat.Client, quiet, """{"assignedTo":["ann","sam"]}""");
        await TransitionAsync(p.Pat.Client, quiet, "Start");
        await p.AdvanceToAsync("2026-03-27T14:05:00Z");
        Assert.Empty(await p.Admin.NotificationsAsync($"item={quiet}"));

        // Only transitions on: the transition tells the item's people, the assignment nobody.
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync(Settings, """{"changeMessages":{"transitions":true,"assignments":false}}"""));
        await PatchAsync(p.Pat.Client, quiet, """{"assignedTo":["ann","sam","sue"]}""");
        await TransitionAsync(p.Pat.Client, quiet, "Resolve");
        Assert.Equal(["ann transition", "sam transition", "sue transition", $"{hook} transition"], await SentAsync(p, quiet, 4));

        // Left out, the switches are back on (as PUT resets the rate limit): the next assignment is mailed again.
        var reset = await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync(Settings, "{}"));
        Assert.True((bool)reset["changeMessages"]!["assignments"]!);
        await PatchAsync(p.Pat.Client, quiet, """{"assignedTo":["gina"]}""");
        Assert.Equal(["ann transition", "gina assignment", "sam transition", "sue transition", $"{hook} assignment", $"{hook} transition"], await SentAsync(p, quiet, 6));
        Assert.Equal(["ann@example.test", "gina@example.test", "sam@example.test", "sue@example.test"], (await sink.WaitForAsync(4)).Select(m => m.To).Order());
        Assert.Equal(["transition", "assignment"], (await receiver.WaitForAsync(2)).Select(h => h.Event));
    }

    [Fact]
    public async Task Webhooks_SubscribedToTransitionAndAssignment_GetOneDeliveryPerChange_WithTheItemAndTheChange()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var p = await EscalationProject.StartAsync(new DeliverySettings { PublicUrl = "http://klaxon.test" });
        var hooks = $"/api/v1/projects/{EscalationProject.Key}/webhooks";
        var created = await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(hooks,
            $$"""{"url":"{{receiver.Url()}}","events":["transition","assignment"],"secret":"{{Secret}}"}"""));
        Assert.Equal(["transition", "assignment"], created["events"]!.AsArray().Select(e => (string)e!));
        await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(hooks, $$"""{"url":"{{receiver.Url("/escalations-only")}}","events":["escalation"],"secret":"{{Secret}}"}"""));
        var refused = await Users.ExpectAsync(HttpStatusCode.BadRequest, p.Admin.PostJsonAsync(hooks, $$"""{"url":"{{receiver.Url()}}","events":["transitions"],"secret":"{{Secret}}"}"""));
        Assert.Contains("'transitions' is not an event; use escalation, reminder, transition, assignment", (string)refused["errors"]!["events"]![0]!);

        // pat creates an item assigned to himself only: no mail, but the assignment is an event.
        var item = await CreateAsync(p.Pat.Client, """{"tracker":"TASK","summary":"Certificate expires","priority":2,"assignedTo":["pat"]}""");
        await PatchAsync(p.Pat.Client, item, """{"assignedTo":["ann"]}""");
        await TransitionAsync(p.Pat.Client, item, "Start");

        var received = await receiver.WaitForAsync(3);
        await Task.Delay(300);
        Assert.Equal(3, receiver.Requests.Count); // the escalations-only webhook got nothing
        Assert.All(received, h => Assert.Equal("/hooks/klaxon", h.Path));
        Assert.Equal(["assignment", "assignment", "transition"], received.Select(h => h.Event).Order());
        Assert.Equal(3, received.Select(h => h.DeliveryId).Distinct().Count());
        var payloads = received.Select(h => JsonNode.Parse(h.Body)!).ToList();
        Assert.All(payloads, j => Assert.Equal(item, (string)j["item"]!["key"]!));

        var atCreation = payloads.Single(j => (string)j["event"]! == "assignment" && j["assignment"]!["before"]!.AsArray().Count == 0);
        Assert.Equal("pat", (string)atCreation["assignment"]!["by"]!);
        Assert.Equal(["pat"], atCreation["assignment"]!["added"]!.AsArray().Select(a => (string)a!));
        var reassigned = payloads.Single(j => (string)j["event"]! == "assignment" && j["assignment"]!["before"]!.AsArray().Count == 1);
        Assert.Equal(["ann"], reassigned["assignment"]!["after"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(["ann"], reassigned["assignment"]!["added"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(["pat"], reassigned["assignment"]!["removed"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(["ann"], reassigned["item"]!["assignedTo"]!.AsArray().Select(a => (string)a!));

        var transition = payloads.Single(j => (string)j["event"]! == "transition");
        Assert.Equal("In Progress", (string)transition["item"]!["status"]!);
        Assert.Equal($"http://klaxon.test/items/{item}", (string)transition["item"]!["url"]!);
        Assert.Equal(("Start", "New", "In Progress", "pat"),
            ((string)transition["transition"]!["name"]!, (string)transition["transition"]!["from"]!, (string)transition["transition"]!["to"]!, (string)transition["transition"]!["by"]!));

        // Without mail the users' messages stay in-app: ann's assignment, and ann's word of the transition.
        var rows = await p.Admin.NotificationsAsync($"item={item}");
        Assert.Equal(["ann assignment skipped", "ann transition skipped"],
            rows.Where(r => (string)r!["channel"]! == "email").Select(r => $"{r!["recipient"]} {r["kind"]} {r["status"]}").Order());
    }

    [Fact]
    public async Task TransitionThatAlsoAssigns_SendsTheNewlyAssignedTheAssignmentOnly_AndTheOthersTheTransition()
    {
        await using var p = await EscalationProject.StartAsync(new DeliverySettings { PublicUrl = "http://klaxon.test" });
        var item = await CreateAsync(p.Admin, """{"tracker":"TASK","summary":"Index corrupt","assignedTo":["ann"]}""");
        Assert.Equal(["ann"], await p.RecipientsAsync(item));

        // One change that assigns and transitions (as a form may send them together), made by pat.
        await using (var scope = p.Server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KlaxonDbContext>();
            var changes = new ItemChanges(db, scope.ServiceProvider.GetRequiredService<IClock>()) { Recorder = ChangeMessages.For(scope.ServiceProvider, db) };
            var edit = new ItemEdit { Values = new Dictionary<string, object?> { ["assignedTo"] = new[] { "ann", "sam" } }, Transition = "Start" };
            var change = await changes.ChangeAsync(item, edit, ItemActor.User("pat", ["Project Admin"]));
            Assert.Equal("In Progress", change.Item.Status);
        }

        var messages = (await p.MessagesAsync(item)).Skip(1).ToList();
        Assert.Equal(["admin", "ann", "sam"], messages.Select(m => m.Recipient).Order()); // one each
        Assert.StartsWith($"[{item}] Index corrupt — assigned to sam by pat", messages.Single(m => m.Recipient == "sam").Subject);
        Assert.All(messages.Where(m => m.Recipient != "sam"), m => Assert.Equal($"[{item}] Index corrupt — Start: New → In Progress by pat", m.Subject));
    }

    [Fact]
    public async Task OnTheSupportDesk_TheAssignedEngineerAndTheSupportOwnerHearOfTheBug()
    {
        await using var desk = await SupportDesk.StartAsync();
        var bug = await desk.CreateAsync("""{"tracker":"BUG","summary":"Crash when the index is rebuilt","fields":{"product":"Server"}}""");
        await desk.PatchAsync(bug, """{"assignedTo":["bob"]}""", "mia");
        await desk.AdvanceToAsync("2026-03-27T14:01:00Z");
        await desk.TransitionAsync(bug, "Start work", "bob");

        var mails = await desk.MessagesFor(bug);
        Assert.Equal([("bob", $"[{bug}] Crash when the index is rebuilt — assigned to bob by mia"), ("alice", $"[{bug}] Crash when the index is rebuilt — Start work: Open → In Progress by bob")],
            mails.Select(m => (m.Recipient, m.Subject)));
        Assert.Contains("- assignedTo: (nobody) → bob", mails[0].Body);
        Assert.Contains("bob ran 'Start work': Open → In Progress.", mails[1].Body);
        Assert.Empty(await desk.MailsTo("mia")); // who assigned, and who ran it, are not told of their own change
    }

    [Fact]
    public void MessagesOfAPersonsChangeAndARule_MergedIntoOneMail_AreCalledUpdates_NotRulesFired()
    {
        MessageRow Row(long? escalation, string subject, string label) => new()
        {
            FireId = Guid.NewGuid().ToString("N"), EscalationId = escalation, Kind = "transition", Recipient = "ann", Subject = subject, Body = subject + " in full", Label = label,
            Status = "pending",
        };
        var rules = MessageTemplates.Merged([Row(1, "[T-1] Disk full — Intake: Tell", "Intake: level 1 'Tell'"), Row(2, "[T-1] Disk full — Intake: Staff", "Intake: level 2 'Staff'")]);
        Assert.Equal("[T-1] Disk full — 2 rules fired: Intake: level 1 'Tell'; Intake: level 2 'Staff'", rules.Subject);
        var mixed = MessageTemplates.Merged([Row(null, "[T-1] Disk full — Start: New → In Progress by pat", "Start: New → In Progress by pat"), Row(3, "[T-1] Disk full — Intake: Tell", "Intake: level 1 'Tell'")]);
        Assert.Equal("[T-1] Disk full — 2 updates: Start: New → In Progress by pat; Intake: level 1 'Tell'", mixed.Subject);
        Assert.StartsWith("2 updates at once:", mixed.Text);
        Assert.Contains("[T-1] Disk full — Start: New → In Progress by pat in full", mixed.Text);
        Assert.Contains("<p>2 updates at once:</p>", mixed.Html);
    }

    [Fact]
    public async Task EscalationActionsThatTransitionAndAssign_SendOnlyWhatTheirRuleSays()
    {
        await using var p = await EscalationProject.StartAsync();
        await p.AddGroupAsync("""
            {"name":"Intake","tracker":"TASK","filter":"status == \"New\"","rules":[
              {"name":"Staff it","anchor":"submittedAt","actions":{"transition":"Mark unconfirmed","assignTo":{"role":"Engineer"},"notify":{"users":["pat"]}}}]}
            """);
        var item = await CreateAsync(p.Admin, """{"tracker":"TASK","summary":"Printer on fire","supervisors":["sue"]}""");

        await p.AdvanceToAsync("2026-03-27T14:00:00Z");

        var item1 = await p.ItemAsync(item);
        Assert.Equal("Unconfirmed", (string)item1["status"]!);
        Assert.Equal(["ann", "sam"], item1["assignedTo"]!.AsArray().Select(a => (string)a!).Order());
        Assert.Equal(["pat"], await p.RecipientsAsync(item)); // not ann and sam (assigned), nor sue (supervisor) or admin (submitter)
    }
}
