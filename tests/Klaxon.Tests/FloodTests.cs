using System.Net;
using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>No floods: the per-recipient rate limit holds the rest of a burst and sends it as one digest at the end of the window.</summary>
public class FloodTests
{
    private const string OnReceipt = """
        {"name":"On receipt","tracker":"TASK","filter":"status == \"New\"","rules":[
          {"name":"Tell pat","anchor":"submittedAt","actions":{"notify":{"users":["pat"]}}}]}
        """;

    private static async Task<List<string>> BurstAsync(EscalationProject p, int count)
    {
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(await p.CreateItemAsync($$"""{"tracker":"TASK","summary":"Alert {{i}}"}"""));
            if (i % 50 == 49) await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT10S"}""")); // spread over the minute
        }
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PostJsonAsync("/api/v1/clock/advance", """{"by":"PT1S"}"""));
        return keys;
    }

    [Fact]
    public async Task TwoHundredEscalationsToOneRecipientWithinAMinute_GiveTheLimitPlusOneDigestListingAllTheRest()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.AddGroupAsync(OnReceipt);

        var keys = await BurstAsync(p, 200);

        var rows = await p.Admin.WaitForNotificationsAsync($"project={EscalationProject.Key}",
            r => r.Count == 200 && r.Count(x => (string)x!["status"]! == "sent") == 10 && r.Count(x => (string)x!["status"]! == "held") == 190, "10 sent and 190 held", seconds: 60);
        Assert.All(rows.Where(r => (string)r!["status"]! == "held"), r => Assert.Equal("rate limit", (string)r!["held"]!));
        // The window opened with the first mail, at 14:00:00; it ends ten minutes later.
        Assert.All(rows.Where(r => (string)r!["status"]! == "held"), r => Assert.Equal("2026-03-27T14:10:00Z", (string)r!["nextAttemptAt"]!));
        Assert.Equal(10, (await sink.WaitForAsync(10)).Count);
        await Task.Delay(300);
        Assert.Equal(10, sink.Mails().Count);

        await p.AdvanceToAsync("2026-03-27T14:09:59Z");
        await Task.Delay(300);
        Assert.Equal(10, sink.Mails().Count); // nothing before the end of the window
        await p.AdvanceToAsync("2026-03-27T14:10:00Z");

        var mails = await sink.WaitForAsync(11);
        await p.Admin.WaitForNotificationsAsync($"project={EscalationProject.Key}&status=sent", r => r.Count == 200, "all 200 sent", seconds: 60);
        await Task.Delay(300);
        Assert.Equal(11, sink.Mails().Count);
        Assert.All(mails, m => Assert.Equal("pat@example.test", m.To));
        var digest = mails[^1];
        Assert.Equal("[Klaxon] Digest: 190 held messages", digest.Subject);
        var individually = mails.Take(10).Select(m => m.Subject.Split(' ')[0].Trim('[', ']')).ToHashSet();
        Assert.Equal(10, individually.Count);
        // Every other item is listed in the digest, none dropped.
        foreach (var key in keys.Where(k => !individually.Contains(k)))
            Assert.Contains($"[{key}] Alert ", digest.Text);
        Assert.Equal(190, digest.Text!.Split('\n').Count(l => l.StartsWith("- 2026-03-27T14:00", StringComparison.Ordinal)));
        Assert.Contains("<ol>", digest.Html);
    }

    [Fact]
    public async Task RateLimit_IsConfigurablePerProject_AndAWindowAfterTheDigestStartsAfresh()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        var settings = $"/api/v1/projects/{EscalationProject.Key}/notification-settings";
        Assert.Equal(10, (int)(await p.Admin.GetJsonAsync(settings))["rateLimit"]!["messages"]!);
        await p.Server.AssertRefusedAsync(p.Admin, HttpMethod.Put, settings, """{"rateLimit":{"messages":0,"minutes":5}}""", [settings], HttpStatusCode.BadRequest);
        var eve = await p.Server.CreateMemberAsync(EscalationProject.Key, "eve", "Engineer");
        await p.Server.AssertRefusedAsync(eve.Client, HttpMethod.Put, settings, """{"rateLimit":{"messages":3,"minutes":5}}""", [settings]);
        var saved = await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync(settings, """{"rateLimit":{"messages":3,"minutes":5}}"""));
        Assert.Equal(3, (int)saved["rateLimit"]!["messages"]!);
        Assert.Equal(5, (int)saved["rateLimit"]!["minutes"]!);
        await p.AddGroupAsync(OnReceipt);

        await BurstAsync(p, 8);
        await p.Admin.WaitForNotificationsAsync($"project={EscalationProject.Key}", r => r.Count(x => (string)x!["status"]! == "held") == 5, "5 held");
        await sink.WaitForAsync(3);
        await p.AdvanceToAsync("2026-03-27T14:05:00Z");
        var mails = await sink.WaitForAsync(4);
        Assert.Equal("[Klaxon] Digest: 5 held messages", mails[3].Subject);

        // A new burst after the digest opens a new window: three more, then the rest held again.
        await BurstAsync(p, 4);
        await p.Admin.WaitForNotificationsAsync($"project={EscalationProject.Key}&status=held", r => r.Count == 1, "1 held");
        Assert.Equal(7, (await sink.WaitForAsync(7)).Count);
    }
}
