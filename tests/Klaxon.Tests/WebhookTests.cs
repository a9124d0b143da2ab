using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Klaxon.Delivery;

namespace Klaxon.Tests;

/// <summary>Project webhooks posted to a real HTTP receiver on loopback: management, signature, payload, retries.</summary>
public class WebhookTests
{
    private const string Secret = "s3cret-for-the-receiver";

    private const string VerifyInTime = """
        {"name":"New issues","tracker":"TASK","filter":"status in (\"New\", null)","rules":[
          {"name":"Verify within the limit","anchor":"submittedAt","limit":"1","unit":"hours","basis":"working",
           "actions":{"transition":"Mark unconfirmed","notify":{"users":["pat"]}}}]}
        """;

    private static string HookJson(string url, string events = """["escalation"]""") => $$"""{"url":"{{url}}","events":{{events}},"secret":"{{Secret}}"}""";

    private static string Hooks => $"/api/v1/projects/{EscalationProject.Key}/webhooks";

    [Fact]
    public async Task Webhooks_AreManagedByProjectAdmins_AndBadOnesAreRefusedNamingTheField()
    {
        await using var p = await EscalationProject.StartAsync();
        var refusals = new (string Json, string Field, string Says)[]
        {
            ("""{"url":"ftp://example.test/x","events":["escalation"],"secret":"0123456789abcdef"}""", "url", "is not an absolute http or https URL"),
            ("""{"url":"http://example.test/x","events":["escalation","deploy"],"secret":"0123456789abcdef"}""", "events", "'deploy' is not an event"),
            ("""{"url":"http://example.test/x","events":[],"secret":"0123456789abcdef"}""", "events", "name at least one event"),
            ("""{"url":"http://example.test/x","events":["escalation"],"secret":"short"}""", "secret", "at least 16 characters"),
            ("""{"url":"http://example.test/x","events":["escalation"]}""", "secret", "is required"),
        };
        foreach (var (json, field, says) in refusals)
        {
            await p.Server.AssertRefusedAsync(p.Admin, HttpMethod.Post, Hooks, json, [Hooks], HttpStatusCode.BadRequest);
            var problem = await Users.ExpectAsync(HttpStatusCode.BadRequest, p.Admin.PostJsonAsync(Hooks, json));
            Assert.Contains(says, (string)problem["errors"]![field]![0]!);
        }
        var ann = await p.Server.CreateMemberAsync(EscalationProject.Key, "eve", "Engineer");
        await p.Server.AssertRefusedAsync(ann.Client, HttpMethod.Post, Hooks, HookJson("http://example.test/x"), [Hooks]);

        var created = await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(Hooks, HookJson("http://example.test/x")));
        Assert.Null(created["secret"]); // never shown
        var id = (long)created["id"]!;
        Assert.Equal(["escalation"], created["events"]!.AsArray().Select(e => (string)e!));
        var replaced = await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync($"{Hooks}/{id}", """{"url":"https://example.test/y","events":["reminder"],"enabled":false}"""));
        Assert.Equal("https://example.test/y", (string)replaced["url"]!);
        Assert.False((bool)replaced["enabled"]!);
        Assert.Single((JsonArray)await p.Admin.GetJsonAsync(Hooks));
        await Users.ExpectAsync(HttpStatusCode.NoContent, p.Admin.DeleteAsync($"{Hooks}/{id}"));
        await Users.ExpectAsync(HttpStatusCode.NotFound, p.Admin.GetAsync($"{Hooks}/{id}"));
        Assert.Empty((JsonArray)await p.Admin.GetJsonAsync(Hooks));
    }

    [Fact]
    public async Task Escalation_IsPostedSigned_WithItsDeliveryIdAndTheItemAsItIsAfterTheFire()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var p = await EscalationProject.StartAsync(new DeliverySettings { PublicUrl = "http://klaxon.test" });
        await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(Hooks, HookJson(receiver.Url())));
        await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(Hooks, HookJson(receiver.Url("/reminders-only"), """["reminder"]""")));
        await p.AddGroupAsync(VerifyInTime);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":2}""");

        await p.AdvanceToAsync("2026-03-27T15:00:00Z");

        var hook = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("/hooks/klaxon", hook.Path); // the reminders-only webhook got nothing
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(hook.Body)));
        Assert.Equal(expected, hook.Signature);
        Assert.Equal("escalation", hook.Event);
        var payload = JsonNode.Parse(hook.Body)!;
        Assert.Equal("escalation", (string)payload["event"]!);
        Assert.Equal(hook.DeliveryId, (string)payload["deliveryId"]!);
        Assert.Equal(item, (string)payload["item"]!["key"]!);
        Assert.Equal("Unconfirmed", (string)payload["item"]!["status"]!);
        Assert.Equal($"http://klaxon.test/items/{item}", (string)payload["item"]!["url"]!);
        var escalation = payload["escalation"]!;
        Assert.Equal("New issues", (string)escalation["group"]!);
        Assert.Equal("Verify within the limit", (string)escalation["rule"]!);
        Assert.Equal(1, (int)escalation["level"]!);
        Assert.Equal("2026-03-27T15:00:00Z", (string)escalation["due"]!);
        Assert.Equal(["pat"], escalation["recipients"]!.AsArray().Select(r => (string)r!));
        Assert.Contains("transition 'Mark unconfirmed': New → Unconfirmed", escalation["outcomes"]!.AsArray().Select(o => (string)o!));

        var row = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Any(x => (string)x!["channel"]! == "webhook"), "the webhook marked sent"),
            r => (string)r!["channel"]! == "webhook")!;
        Assert.Equal(hook.DeliveryId, (string)row["deliveryId"]!);
        Assert.StartsWith("webhook:", (string)row["recipient"]!);
    }

    [Fact]
    public async Task ReceiverFailingThreeTimes_GetsTheDeliveryOnceItRecovers_WithTheSameDeliveryId()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n <= 3 ? 500 : 200;
        await using var p = await EscalationProject.StartAsync();
        await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(Hooks, HookJson(receiver.Url())));
        await p.AddGroupAsync(VerifyInTime);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":2}""");
        await p.AdvanceToAsync("2026-03-27T15:00:00Z");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await receiver.WaitForAsync(attempt);
            var waiting = await p.Admin.WaitForNotificationsAsync($"item={item}&status=pending", r => r.Any(x => (int)x!["attempts"]! == attempt), $"attempt {attempt} recorded");
            var row = waiting.Single(x => (string)x!["channel"]! == "webhook")!;
            Assert.Contains("answered 500", (string)row["lastError"]!);
            Assert.Equal(attempt, receiver.Requests.Count); // no attempt before its backoff has passed on the clock
            await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT2H"}"""));
        }

        var requests = await receiver.WaitForAsync(4);
        var sent = await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Any(x => (string)x!["channel"]! == "webhook"), "the webhook sent");
        Assert.Equal(4, (int)sent.Single(x => (string)x!["channel"]! == "webhook")!["attempts"]!);
        Assert.Equal([500, 500, 500, 200], requests.Select(r => r.AnsweredWith));
        Assert.Single(requests.Select(r => r.DeliveryId).Distinct());
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT24H"}"""));
        await Task.Delay(500);
        Assert.Equal(4, receiver.Requests.Count);
    }

    [Fact]
    public async Task ReceiverThatNeverRecovers_EndsDeadAfterTheConfiguredAttempts_WithTheLastError()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 503;
        await using var p = await EscalationProject.StartAsync(new DeliverySettings { Retry = new RetryPolicy { MaxAttempts = 2, First = NodaTime.Duration.FromMinutes(1) } });
        await Users.ExpectAsync(HttpStatusCode.Created, p.Admin.PostJsonAsync(Hooks, HookJson(receiver.Url())));
        await p.AddGroupAsync(VerifyInTime);
        var item = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Server down","priority":2}""");
        await p.AdvanceToAsync("2026-03-27T15:00:00Z");
        await receiver.WaitForAsync(1);
        await p.Admin.WaitForNotificationsAsync($"item={item}&status=pending", r => r.Any(x => (int)x!["attempts"]! == 1), "the first attempt recorded");
        await p.AdvanceToAsync("2026-03-27T15:01:00Z"); // the first retry waits 30 to 60 s

        var dead = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={item}&status=dead", r => r.Count == 1, "the webhook dead"))!;
        Assert.Equal(2, (int)dead["attempts"]!);
        Assert.Contains("answered 503", (string)dead["lastError"]!);
        Assert.Equal(2, receiver.Requests.Count);

        receiver.Answer = _ => 200;
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PostAsync($"/api/v1/notifications/{dead["id"]}/retry", null));
        await receiver.WaitForAsync(3);
        await p.Admin.WaitForNotificationsAsync($"item={item}&status=sent", r => r.Any(x => (string)x!["channel"]! == "webhook"), "the retried webhook sent");
    }
}
