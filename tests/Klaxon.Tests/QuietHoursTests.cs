using System.Net;

namespace Klaxon.Tests;

/// <summary>Quiet hours: a user's non-urgent mail waits for their next working time on their calendar; urgent mail does not.</summary>
public class QuietHoursTests
{
    // Due four calendar hours after submission: Friday 18:00 UTC, 19:00 in Berlin, after the Berlin office's hours.
    private const string Evening = """
        {"name":"Evening check","tracker":"TASK","filter":"status == \"New\"","rules":[
          {"name":"Still new","anchor":"submittedAt","limit":"4","unit":"hours","basis":"calendar","actions":{"notify":{"users":["ann","sam"]}}}]}
        """;

    [Fact]
    public async Task NonUrgentMail_WaitsForTheUsersNextWorkingTime_UrgentMailGoesAtOnce()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        await using var p = await EscalationProject.StartAsync(sink.Settings());
        await p.Admin.CreateAsync(Calendars.Berlin);
        var quiet = "/api/v1/users/ann/notification-settings";
        await p.Server.AssertRefusedAsync(p.Admin, HttpMethod.Put, quiet, """{"quietHours":true,"calendar":"nowhere"}""", [quiet], HttpStatusCode.BadRequest);
        await p.Server.AssertRefusedAsync(p.Pat.Client, HttpMethod.Put, quiet, """{"quietHours":true,"calendar":"berlin"}""", [quiet]); // not pat's own
        await Users.ExpectAsync(HttpStatusCode.OK, p.Admin.PutJsonAsync(quiet, """{"quietHours":true,"calendar":"berlin"}"""));
        Assert.True((bool)(await p.Admin.GetJsonAsync(quiet))["quietHours"]!);
        await p.AddGroupAsync(Evening);
        var routine = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Routine","priority":3}""");
        var urgent = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Everything is down","priority":1}""");
        var severe = await p.CreateItemAsync("""{"tracker":"TASK","summary":"Data loss","priority":3,"severity":1}""");

        await p.AdvanceToAsync("2026-03-27T18:00:00Z");

        // sam has no quiet hours: all three at once; ann: only the urgent ones.
        var held = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={routine}&status=held", r => r.Count == 1, "ann's routine mail held"))!;
        Assert.Equal("ann", (string)held["recipient"]!);
        Assert.Equal("quiet hours", (string)held["held"]!);
        // Monday 09:00 in Berlin, after the change to summer time: 07:00 UTC.
        Assert.Equal("2026-03-30T07:00:00Z", (string)held["nextAttemptAt"]!);
        var mails = await sink.WaitForAsync(5);
        await Task.Delay(300);
        Assert.Equal(5, sink.Mails().Count);
        Assert.Equal(3, mails.Count(m => m.To == "sam@example.test"));
        Assert.Equal(new[] { $"[{severe}] Data loss", $"[{urgent}] Everything is down" }.Order(),
            mails.Where(m => m.To == "ann@example.test").Select(m => m.Subject.Split(" — ")[0]).Order());

        await p.AdvanceToAsync("2026-03-30T06:59:59Z");
        await Task.Delay(300);
        Assert.Equal(5, sink.Mails().Count);
        await p.AdvanceToAsync("2026-03-30T07:00:00Z");
        var morning = (await sink.WaitForAsync(6))[^1];
        Assert.Equal("ann@example.test", morning.To);
        Assert.StartsWith($"[{routine}] Routine", morning.Subject);
        var sent = Assert.Single(await p.Admin.WaitForNotificationsAsync($"item={routine}&status=sent", r => r.Count == 2, "both routine mails sent"), r => (string)r!["recipient"]! == "ann")!;
        Assert.Equal("2026-03-30T07:00:00Z", (string)sent["sentAt"]!);
    }
}
