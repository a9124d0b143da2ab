using System.Net;
using System.Text.Json.Nodes;
using Klaxon.Core;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// Two nodes on one PostgreSQL database share a manual clock: a calendar one node creates or changes is used by the
/// other for the schedules it computes (a node reads a calendar it has not seen, and hears of changes through
/// <c>NOTIFY klaxon_calendars</c>). Always on PostgreSQL: several nodes need it.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class CalendarSyncTests : IAsyncDisposable
{
    private readonly Cluster cluster = new();
    private readonly ManualClock clock = new(Instant.FromUtc(2026, 3, 2, 8, 0)); // Monday 08:00 UTC

    public ValueTask DisposeAsync() => cluster.DisposeAsync();

    private async Task<HttpClient> StartNodeAsync() => Cluster.AdminClient(await cluster.StartNodeAsync(clock));

    [Fact]
    public async Task ACalendarMadeOrChangedOnOneNode_CountsOnTheOther()
    {
        // Both nodes run before the project (and its calendar) exists.
        using var first = await StartNodeAsync();
        using var second = await StartNodeAsync();
        await Users.ExpectAsync(HttpStatusCode.Created, first.PostJsonAsync("/api/v1/projects", """{"key":"SYN","name":"Sync"}"""));
        await Users.ExpectAsync(HttpStatusCode.Created, first.PostJsonAsync("/api/v1/projects/SYN/trackers", EscalationProject.Tracker));
        await Users.ExpectAsync(HttpStatusCode.Created, first.PostJsonAsync("/api/v1/projects/SYN/escalation-groups",
            """{"name":"Answer","tracker":"TASK","filter":"true","rules":[{"name":"Two working hours","anchor":"submittedAt","limit":"2","unit":"hours","basis":"working","actions":{"notify":{"submitter":true}}}]}"""));

        // The second node has never seen calendar project-syn: it reads it (system hours 09:00–17:00) → due 11:00.
        Assert.Equal("2026-03-02T11:00:00Z", await DueOfNewItemAsync(second));

        // The first node shortens the project's Mondays to 10:00–11:00; the second node hears of it and counts on the new hours.
        await Users.ExpectAsync(HttpStatusCode.OK, first.PutJsonAsync("/api/v1/calendars/project-syn",
            """{"name":"Sync calendar","parent":"system","weeklyHours":[{"weekday":"Monday","hours":"10:00-11:00"}]}"""));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string due;
        while ((due = await DueOfNewItemAsync(second)) != "2026-03-03T10:00:00Z")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the second node still schedules with the old hours: due {due}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> DueOfNewItemAsync(HttpClient node)
    {
        var item = (string)(await Users.ExpectAsync(HttpStatusCode.Created, node.PostJsonAsync("/api/v1/projects/SYN/items", """{"tracker":"TASK","summary":"Question"}""")))["key"]!;
        var schedule = (JsonArray)(await Users.ExpectAsync(HttpStatusCode.OK, node.GetAsync($"/api/v1/items/{item}/escalations")))!;
        var entry = Assert.Single(schedule)!;
        Assert.True((string)entry["status"]! == "pending", $"the schedule is {entry.ToJsonString()}");
        return (string)entry["due"]!;
    }
}
