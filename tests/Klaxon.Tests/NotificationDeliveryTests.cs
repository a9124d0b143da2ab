using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Delivery;

namespace Klaxon.Tests;

/// <summary>Escalation mail through a real SMTP server (aiosmtpd on loopback): content, merging, retries, dead letters, restarts, in-app list.</summary>
public class NotificationDeliveryTests
{
    private const string VerifyInTime = """
        {"name":"New issues","tracker":"TASK","filter":"status in (\"New\", null)","rules":[
          {"name":"Verify within the limit","anchor":"submittedAt","limit":"(priority == 1 or priority == 2) ? 1 : 4","unit":"hours","basis":"working",
           "actions":{"transition":"Mark unconfirmed","notify":{"roles":["Project Admin"],"onlyDirectMembers":true}}}]}
        """;

    private static string OnReceipt(params string[] users) =>
        """{"name":"On receipt","tracker":"TASK","filter":"status == \"New\"","rules":[{"name":"Tell them","anchor":"submittedAt","actions":{"notify":{"users":"""
        + JsonSerializer.Serialize(users) + "}}}]}";

    [Fact]
    public async Task Escalation_IsMailedAsTextAndHtml_WithWhatFiredWhyAndALink_OnlyToDirectMembers()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync(VerifyInTime);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":1}""");

        await p.AdvanceToAsync("2026-03-27T15:00:00Z");

        var mail = Assert.Single(await sink.WaitForAsync(1));
        Assert.Equal("pat@example.test", mail.To); // gina, an indirect Project Admin, is left out: onlyDirectMembers
        Assert.Equal(SmtpSink.From, mail.MailFrom);
        Assert.Equal($"[{item}] Server down — New issues: Verify within the limit (New → Unconfirmed)", mail.Subject); // the transition template
        Assert.Contains("Status: Unconfirmed   Priority: 1", mail.Text); // after the rule's transition
        Assert.Contains("Moved from New to Unconfirmed by this escalation.", mail.Text);
        Assert.Contains("Escalation group 'New issues', level 1 'Verify within the limit' fired.", mail.Text);
        Assert.Contains("Due 2026-03-27T15:00:00Z: submittedAt + (priority == 1 or priority == 2) ? 1 : 4 hours of working time.", mail.Text);
        Assert.Contains("- transition 'Mark unconfirmed': New → Unconfirmed", mail.Text);
        Assert.Contains($"Item: http://klaxon.test/items/{item}", mail.Text);
        Assert.Contains($"<a href=\"http://klaxon.test/items/{item}\">", mail.Html);
        Assert.Contains("<li>transition &#39;Mark unconfirmed&#39;: New → Unconfirmed</li>", mail.Html);
        Assert.Equal(item, mail.Headers["X-Klaxon-Item"]);
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);

        var sent = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", rows => rows.Count == 1, "the message marked sent"))!;
        Assert.Equal("pat", (string)sent["recipient"]!);
        Assert.Equal("transition", (string)sent["kind"]!);
        Assert.Equal(1, (int)sent["attempts"]!);
        Assert.Equal("2026-03-27T15:00:00Z", (string)sent["sentAt"]!);
        Assert.Equal($"<{sent["deliveryId"]}@klaxon>", mail.Headers["Message-ID"]);
        Assert.Empty(await p.Admin.NotificationsAsync($"item={item}&status=pending"));
        Assert.Single(await p.Admin.NotificationsAsync($"item={item}")); // one row in all: nobody else was reached
    }

    [Fact]
    public async Task RuleThatAssigns_MailsTheNewAssigneesFromTheAssignmentTemplate()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync("""
            {"name":"High priority","tracker":"TASK","filter":"status == \"New\" and priority <= 2","rules":[
              {"name":"Staff it","anchor":"submittedAt","actions":{"set":{"priority":1},"assignTo":{"role":"Engineer"},"notify":{"assignees":true}}}]}
            """);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Data loss","priority":2}""");

        await p.AdvanceToAsync("2026-03-27T14:00:00Z");

        var mails = await sink.WaitForAsync(2);
        Assert.Equal(["ann@example.test", "sam@example.test"], mails.Select(m => m.To).Order());
        Assert.All(mails, m =>
        {
            Assert.Equal($"[{item}] Data loss — High priority: Staff it (assigned to ann, sam)", m.Subject);
            Assert.Contains("Assigned to ann, sam by this escalation.", m.Text);
            Assert.Contains("- set priority: 2 → 1", m.Text);
            Assert.Contains("Priority: 1", m.Text);
        });
        var rows = await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Count == 2, "both sent");
        Assert.All(rows, r => Assert.Equal("assignment", (string)r!["kind"]!));
    }

    [Fact]
    public async Task InAppList_ShowsTheCallersMessages_AndMarksThemRead()
    {
        await using var p = await EscalationProject.StartAsync(); // no SMTP: the messages live in-app only
        await p.AddGroupAsync(OnReceipt("ann", "pat"));
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Disk full"}""");
        await p.AdvanceToAsync("2026-03-27T14:00:00Z");
        var rows = await p.Admin.WaitForNotificationsAsync($"item={item}", r => r.Statuses().All(s => s == "skipped") && r.Count == 2, "both messages settled");
        Assert.All(rows, r => Assert.Contains("--smtp", (string)r!["lastError"]!));

        var ann = p.Server.ClientFor((string)(await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync("/api/v1/users/ann/tokens", "{}")))["token"]!);
        var inbox = (JsonArray)await ann.GetJsonAsync("/api/v1/me/notifications");
        var entry = Assert.Single(inbox)!;
        Assert.Equal(item, (string)entry["item"]!);
        Assert.False((bool)entry["read"]!);
        Assert.Contains("Disk full", (string)entry["subject"]!);
        var annId = (long)entry["id"]!;
        var patId = (long)rows.Single(r => (string)r!["recipient"]! == "pat")!["id"]!;

        await Users.ExpectAsync(HttpStatusCode.NotFound, ann.PostAsync($"/api/v1/me/notifications/{patId}/read", null)); // not hers
        await Users.ExpectAsync(HttpStatusCode.NoContent, ann.PostAsync($"/api/v1/me/notifications/{annId}/read", null));
        Assert.Empty((JsonArray)await ann.GetJsonAsync("/api/v1/me/notifications?unread=true"));
        Assert.True((bool)((JsonArray)await ann.GetJsonAsync("/api/v1/me/notifications"))[0]!["read"]!);
        Assert.Equal("2026-03-27T14:00:00Z", (string)((JsonArray)await ann.GetJsonAsync("/api/v1/me/notifications"))[0]!["readAt"]!);
        Assert.False((bool)((JsonArray)await p.Pat.Client.GetJsonAsync("/api/v1/me/notifications"))[0]!["read"]!); // pat's own stays unread
        await Users.ExpectAsync(HttpStatusCode.NoContent, p.Pat.Client.PostAsync("/api/v1/me/notifications/read", null));
        Assert.Empty((JsonArray)await p.Pat.Client.GetJsonAsync("/api/v1/me/notifications?unread=true"));

        // The outbox list needs View Escalation Schedule; a bad status is refused by name.
        await Users.ExpectAsync(HttpStatusCode.Forbidden, ann.GetAsync($"/api/v1/notifications?item={item}"));
        await Users.ExpectAsync(HttpStatusCode.Forbidden, ann.GetAsync("/api/v1/notifications"));
        var problem = await Users.ExpectAsync(HttpStatusCode.BadRequest, p.Admin.GetAsync($"/api/v1/notifications?item={item}&status=lost"));
        Assert.StartsWith("'lost' is not a message status", (string)problem["errors"]!["status"]![0]!);
    }

    [Fact]
    public async Task SeveralRulesOfOneFire_ReachingOneRecipient_SendOneMailListingThem()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync("""
            {"name":"Intake","tracker":"TASK","filter":"status == \"New\"","rules":[
              {"name":"Acknowledge","anchor":"submittedAt","actions":{"notify":{"users":["pat"]}}},
              {"name":"Staff it","anchor":"submittedAt","actions":{"notify":{"users":["pat","ann"]}}}]}
            """);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"New customer"}""");

        await p.AdvanceToAsync("2026-03-27T14:00:00Z");

        var rows = await p.Admin.WaitForNotificationsAsync($"item={item}", r => r.Count == 3 && r.Statuses().All(s => s == "sent"), "three messages sent");
        var mails = await sink.WaitForAsync(2);
        await Task.Delay(300);
        Assert.Equal(2, sink.Mails().Count);
        var toPat = Assert.Single(mails, m => m.To == "pat@example.test");
        Assert.Equal($"[{item}] New customer — 2 rules fired: Intake: level 1 'Acknowledge'; Intake: level 2 'Staff it'", toPat.Subject);
        Assert.Contains("- Intake: level 1 'Acknowledge'", toPat.Text);
        Assert.Contains("- Intake: level 2 'Staff it'", toPat.Text);
        Assert.Contains("level 2 'Staff it' fired.", toPat.Text);
        var toAnn = Assert.Single(mails, m => m.To == "ann@example.test");
        Assert.Equal($"[{item}] New customer — Intake: Staff it", toAnn.Subject);
        var patRows = rows.Where(r => (string)r!["recipient"]! == "pat").ToList();
        Assert.Equal(2, patRows.Count);
        Assert.Single(patRows.Select(r => (string)r!["sentAs"]!).Distinct()); // both carried by the same mail
    }

    [Fact]
    public async Task SmtpDownThenUp_MessagesQueueRetryAndArriveExactlyOnce()
    {
        await using var sink = SmtpSink.Create(); // not listening yet
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync(OnReceipt("ann", "sam", "sue"));
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Outage"}""");
        await p.AdvanceToAsync("2026-03-27T14:00:00Z");

        var failed = await p.Admin.WaitForNotificationsAsync($"item={item}&status=pending", r => r.Count == 3 && r.All(x => (int)x!["attempts"]! == 1), "three failed first attempts");
        Assert.All(failed, r => Assert.StartsWith("SMTP", (string)r!["lastError"]!));
        Assert.All(failed, r =>
        {
            // The first retry waits 30 s × a jitter factor in [0.5, 1), on the server's clock.
            var next = NodaTime.Text.InstantPattern.ExtendedIso.Parse((string)r!["nextAttemptAt"]!).Value;
            Assert.InRange((next - RunningServer.Start).TotalSeconds, 15, 30);
        });

        await sink.StartAsync();
        await p.AdvanceToAsync("2026-03-27T14:01:00Z");

        var mails = await sink.WaitForAsync(3);
        await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Count == 3, "three messages sent");
        await p.AdvanceToAsync("2026-03-27T16:00:00Z");
        await Task.Delay(500);
        Assert.Equal(["ann@example.test", "sam@example.test", "sue@example.test"], sink.Mails().Select(m => m.To).Order());
        Assert.All(await p.Admin.NotificationsAsync($"item={item}"), r => Assert.Equal(2, (int)r!["attempts"]!));
    }

    [Fact]
    public async Task Restart_WithMessagesWaiting_LosesNothingAndSendsNothingTwice()
    {
        await using var sink = SmtpSink.Create();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync(OnReceipt("ann", "sam"));
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Outage"}""");
        await p.AdvanceToAsync("2026-03-27T14:00:00Z");
        await p.Admin.WaitForNotificationsAsync($"item={item}&status=pending", r => r.Count == 2 && r.All(x => (int)x!["attempts"]! == 1), "two failed attempts");

        await p.Server.RestartAsync();
        await sink.StartAsync();
        await p.AdvanceToAsync("2026-03-27T14:05:00Z");

        await sink.WaitForAsync(2);
        await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Count == 2, "both sent after the restart");
        await p.Server.RestartAsync();
        await p.AdvanceToAsync("2026-03-27T18:00:00Z");
        await Task.Delay(500);
        Assert.Equal(["ann@example.test", "sam@example.test"], sink.Mails().Select(m => m.To).Order());
    }

    [Fact]
    public async Task PermanentSmtpError_EndsDeadWithTheError_AndTheRetryEndpointSendsItAgain()
    {
        await using var sink = await SmtpSink.StartNewAsync("ann@example.test");
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync(OnReceipt("ann", "sam"));
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Outage"}""");
        await p.AdvanceToAsync("2026-03-27T14:00:00Z");

        var dead = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={item}&status=dead", r => r.Count == 1, "ann's message dead"))!;
        Assert.Equal("ann", (string)dead["recipient"]!);
        Assert.Equal(1, (int)dead["attempts"]!); // a 550 is not retried
        Assert.Contains("550", (string)dead["lastError"]!);
        Assert.Contains("mailbox unavailable", (string)dead["lastError"]!);
        var sam = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Count == 1, "sam's message sent"))!;
        Assert.Equal("sam@example.test", Assert.Single(sink.Mails()).To);

        var conflict = await Users.ExpectAsync(HttpStatusCode.Conflict, p.Admin.PostAsync($"/api/v1/notifications/{sam["id"]}/retry", null));
        Assert.Contains("only dead notifications", conflict.ToJsonString());
        var ann = await p.Server.CreateMemberAsync(EscalationProject.Key, "eve", "Engineer");
        await Users.ExpectAsync(HttpStatusCode.Forbidden, ann.Client.PostAsync($"/api/v1/notifications/{dead["id"]}/retry", null));
        await Users.ExpectAsync(HttpStatusCode.NotFound, p.Admin.PostAsync("/api/v1/notifications/999999/retry", null));

        await sink.StopAsync();
        await sink.StartAsync(); // the mailbox works again
        var retried = await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PostAsync($"/api/v1/notifications/{dead["id"]}/retry", null));
        Assert.Equal("pending", (string)retried["status"]!);

        await sink.WaitForAsync(2);
        await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Count == 2, "ann's message sent after the retry");
        Assert.Equal(["ann@example.test", "sam@example.test"], sink.Mails().Select(m => m.To).Order());
    }

    [Fact]
    public async Task Reminder_IsMailedToItsAuthor_FromTheReminderTemplate()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Contract renewal"}""");
        await Users.ExpectAsync(HttpStatusCode.Created, p.Pat.Client.PostJsonAsync($"/api/v1/items/{item}/reminders", """{"at":"2026-03-27T14:30:00Z","note":"Call the customer"}"""));

        await p.AdvanceToAsync("2026-03-27T14:30:00Z");

        var mail = Assert.Single(await sink.WaitForAsync(1));
        Assert.Equal("pat@example.test", mail.To);
        Assert.Equal($"[{item}] Reminder: Call the customer", mail.Subject);
        Assert.Contains("Reminder set by pat: Call the customer", mail.Text);
        Assert.Contains($"Item: http://klaxon.test/items/{item}", mail.Text);
        Assert.Contains("Reminder set by pat: Call the customer", mail.Html);
    }
}
