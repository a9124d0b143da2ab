using System.Net;

namespace Klaxon.Tests;

/// <summary>
/// Project SUP for the browser tests: tracker INC with a hidden "Mark unconfirmed" transition, Pat (Project Admin,
/// who may view escalation schedules) and Sue (Support Engineer, who may not), both with passwords. The system
/// calendar works Monday–Friday 09:00–17:00 UTC; the manual clock starts on Friday 2026-03-27 14:00 UTC.
/// </summary>
public static class BrowserDesk
{
    public const string Key = "SUP";

    public const string Tracker = """
        {"key":"INC","name":"Incident","workflow":{"statuses":["New","Unconfirmed","In Progress","Resolved","Closed"],"initial":"New","transitions":[
          {"name":"Mark unconfirmed","from":"New","to":"Unconfirmed","roles":[]},
          {"name":"Start","from":"*","to":"In Progress","roles":["Support Engineer","Project Admin"]},
          {"name":"Resolve","from":"*","to":"Resolved","roles":["Support Engineer","Project Admin"]},
          {"name":"Close","from":"*","to":"Closed","roles":["Project Admin"]}]}}
        """;

    /// <summary>The seed's first example: a new issue not verified within 1 (urgent) or 4 working hours becomes Unconfirmed and alerts the admins.</summary>
    public const string NewIssues = """
        {"name":"New issues","tracker":"INC","filter":"status in (\"New\", null)","rules":[
          {"name":"Verify within the limit","anchor":"submittedAt","limit":"(priority == 1 or priority == 2) ? 1 : 4","unit":"hours","basis":"working",
           "actions":{"transition":"Mark unconfirmed","notify":{"roles":["Project Admin"]}}}]}
        """;

    public static async Task CreateAsync(BrowserSession session, bool withGroup = true)
    {
        var server = session.Server;
        await server.CreateProjectAsync(Key, "Support desk");
        await Users.ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync($"/api/v1/projects/{Key}/trackers", Tracker));
        await session.CreateMemberAsync(Key, "pat", "Project Admin");
        await session.CreateMemberAsync(Key, "sue", "Support Engineer");
        if (withGroup)
            await Users.ExpectAsync(HttpStatusCode.Created, server.Client.PostJsonAsync($"/api/v1/projects/{Key}/escalation-groups", NewIssues));
    }

    public static async Task<string> CreateItemAsync(BrowserSession session, string json) =>
        (string)(await Users.ExpectAsync(HttpStatusCode.Created, session.Server.Client.PostJsonAsync($"/api/v1/projects/{Key}/items", json)))["key"]!;
}
