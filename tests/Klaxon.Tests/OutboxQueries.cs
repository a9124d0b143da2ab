using System.Text.Json.Nodes;

namespace Klaxon.Tests;

/// <summary>Reading the outbox through <c>GET /api/v1/notifications</c>, and waiting for the worker, which delivers asynchronously.</summary>
public static class OutboxQueries
{
    public static async Task<JsonArray> NotificationsAsync(this HttpClient client, string query) =>
        (JsonArray)await client.GetJsonAsync($"/api/v1/notifications?{query}");

    /// <summary>Polls the outbox until <paramref name="done"/> holds (failing after <paramref name="seconds"/>, showing the last answer).</summary>
    public static async Task<JsonArray> WaitForNotificationsAsync(this HttpClient client, string query, Func<JsonArray, bool> done, string what, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var rows = await client.NotificationsAsync(query);
            if (done(rows)) return rows;
            if (DateTime.UtcNow > until) Assert.Fail($"Waited {seconds} s for {what}; the outbox ({query}) reads {rows.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public static IEnumerable<string> Statuses(this JsonArray rows) => rows.Select(r => (string)r!["status"]!);
}
