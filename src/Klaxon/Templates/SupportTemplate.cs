using System.Text.Json;
using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Templates;

/// <summary>What <see cref="SupportTemplate.ApplyAsync"/> made: the project and the keys and calendars it chose.</summary>
public sealed record SupportProjectLayout(string Project, string Incident, string Bug, string SupportCalendar, string EngineeringCalendar);

/// <summary>
/// The project template <c>support</c>: the support policy of seed 000 (severities, escalation to engineering with a
/// bug report, Sev 1 assessment and on-call, cataloging with QA closure, proactive customer notification) as
/// trackers, calendars, roles and escalation groups. Everything is stored through the code the REST API runs
/// (<see cref="CalendarsApi.AddAsync"/>, <see cref="ProjectsApi.CreateAsync"/>, <see cref="TrackersApi.AddAsync"/>,
/// <see cref="EscalationGroupsApi.AddAsync"/>), so it is checked alike and can be changed afterwards through the API.
/// docs/support-template.md explains each part.
/// </summary>
public static class SupportTemplate
{
    public const string Name = "support";

    /// <summary>The templates a project may be created from.</summary>
    public static IReadOnlyList<string> Names { get; } = [Name];

    /// <summary>The products the template's Incident and Bug trackers start with (edit the trackers' choices to change them).</summary>
    public static IReadOnlyList<string> Products { get; } = ["Server", "Client"];

    /// <summary>Support business hours: the project's calendar.</summary>
    public const string SupportZone = "Europe/London";

    /// <summary>Engineering business hours: the calendar the engineering rules name.</summary>
    public const string EngineeringZone = "America/Los_Angeles";

    /// <summary>The permissions of the template's roles: the defaults, and support engineers and managers also watch escalation schedules.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; } = Permissions.DefaultRoles.ToDictionary(
        r => r.Key,
        r => r.Key is Permissions.SupportEngineer or Permissions.EngineeringManager
            ? (IReadOnlyList<string>)[.. Permissions.All.Where(p => r.Value.Contains(p) || p == Permissions.ViewEscalationSchedule)]
            : r.Value);

    /// <summary>
    /// Creates project <paramref name="key"/> from the template: calendars <c>support-key</c> (the project's) and
    /// <c>engineering-key</c>, trackers Incident and Bug (keys INC and BUG, or KEYINC and KEYBUG when another project
    /// holds those), roles and escalation groups. 409 when the project, a calendar or a tracker key is taken.
    /// </summary>
    public static async Task<SupportProjectLayout> ApplyAsync(IServiceProvider services, string key, string name, CancellationToken cancellationToken = default)
    {
        var db = services.GetRequiredService<KlaxonDbContext>();
        var catalog = services.GetRequiredService<CalendarCatalog>();
        var writes = services.GetRequiredService<CalendarWriteLock>();
        var clock = services.GetRequiredService<IClock>();
        var rescheduler = services.GetRequiredService<Rescheduler>();

        // Everything that could be taken is looked at first, so a refusal leaves nothing behind.
        if (await db.Projects.AnyAsync(p => p.Key == key, cancellationToken))
            throw ProblemException.Conflict($"A project '{key}' already exists.");
        var layout = await LayoutAsync(db, key, cancellationToken);
        foreach (var calendar in new[] { layout.SupportCalendar, layout.EngineeringCalendar })
        {
            if (catalog.Find(calendar) is not null)
                throw ProblemException.Conflict($"A calendar '{calendar}' already exists; the support template names its calendars support-KEY and engineering-KEY.");
        }

        await CalendarsApi.AddAsync(db, catalog, writes, clock, Read<CalendarDocument>(Calendar(layout.SupportCalendar, $"{name}: support business hours", SupportZone)), cancellationToken);
        await CalendarsApi.AddAsync(db, catalog, writes, clock, Read<CalendarDocument>(Calendar(layout.EngineeringCalendar, $"{name}: engineering business hours", EngineeringZone)), cancellationToken);
        await ProjectsApi.CreateAsync(db, catalog, writes, clock, key, name, layout.SupportCalendar, cancellationToken, Roles);
        await TrackersApi.AddAsync(db, key, Read<TrackerDocument>(Fill(IncidentTracker, layout)), cancellationToken);
        await TrackersApi.AddAsync(db, key, Read<TrackerDocument>(Fill(BugTracker, layout)), cancellationToken);
        foreach (var group in EscalationGroups)
            await EscalationGroupsApi.AddAsync(db, catalog, rescheduler, clock, key, Read<EscalationGroupDocument>(Fill(group, layout)), cancellationToken);
        return layout;
    }

    /// <summary>INC and BUG when free; otherwise the project key (up to 7 letters) followed by INC and BUG.</summary>
    private static async Task<SupportProjectLayout> LayoutAsync(KlaxonDbContext db, string key, CancellationToken cancellationToken)
    {
        var taken = await db.Trackers.AsNoTracking().Where(t => t.Key == "INC" || t.Key == "BUG" || t.Key.StartsWith(key)).Select(t => t.Key).ToListAsync(cancellationToken);
        var prefix = taken.Contains("INC") || taken.Contains("BUG") ? key[..Math.Min(key.Length, 7)] : "";
        var incident = prefix + "INC";
        var bug = prefix + "BUG";
        foreach (var tracker in new[] { incident, bug })
        {
            if (taken.Contains(tracker))
                throw ProblemException.Conflict($"The tracker key '{tracker}' is taken by another project; the support template needs INC and BUG, or {incident} and {bug}.");
        }
        var lower = key.ToLowerInvariant();
        return new SupportProjectLayout(key, incident, bug, "support-" + lower, "engineering-" + lower);
    }

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, KlaxonJson.Options)
        ?? throw new InvalidOperationException($"The support template's {typeof(T).Name} is empty.");

    private static string Fill(string json, SupportProjectLayout layout) => json
        .Replace("%INC%", layout.Incident, StringComparison.Ordinal)
        .Replace("%BUG%", layout.Bug, StringComparison.Ordinal)
        .Replace("%ENGINEERING%", layout.EngineeringCalendar, StringComparison.Ordinal)
        .Replace("%PRODUCTS%", JsonSerializer.Serialize(Products), StringComparison.Ordinal);

    private static string Calendar(string id, string name, string zone) => JsonSerializer.Serialize(new
    {
        id,
        name,
        timeZone = zone,
        parent = CalendarDefinition.SystemId,
        weeklyHours = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" }.Select(d => new { weekday = d, hours = "09:00-17:00" }),
    });

    private const string IncidentTracker = """
        {"key":"%INC%","name":"Incident",
         "fields":[
           {"name":"customer","type":"user"},
           {"name":"product","type":"choice","choices":%PRODUCTS%},
           {"name":"engineer","type":"user"},
           {"name":"confirmedBug","type":"bool"},
           {"name":"confirmedAt","type":"datetime","stampOn":["fields.confirmedBug"]},
           {"name":"assessment","type":"text"},
           {"name":"expectedResolution","type":"datetime"},
           {"name":"statusChangedAt","type":"datetime","stampOn":["status"]}],
         "workflow":{"statuses":["New","Troubleshooting","Escalated","Resolved","Closed"],"initial":"New","transitions":[
           {"name":"Start troubleshooting","from":"New","to":"Troubleshooting","roles":["Support Engineer"]},
           {"name":"Escalate to engineering","from":"New","to":"Escalated","roles":["Support Engineer","Engineering Manager"],"requires":["link:bug-report"]},
           {"name":"Escalate to engineering","from":"Troubleshooting","to":"Escalated","roles":["Support Engineer","Engineering Manager"],"requires":["link:bug-report"]},
           {"name":"Resolve","from":"New","to":"Resolved","roles":["Support Engineer"],"requires":["resolution"]},
           {"name":"Resolve","from":"Troubleshooting","to":"Resolved","roles":["Support Engineer"],"requires":["resolution"]},
           {"name":"Customer told of fix","from":"Escalated","to":"Resolved","roles":["Support Engineer"]},
           {"name":"Close","from":"Resolved","to":"Closed","roles":["Support Engineer"]},
           {"name":"Reopen","from":"Resolved","to":"Troubleshooting","roles":["Support Engineer","Customer"]},
           {"name":"Reopen","from":"Closed","to":"Troubleshooting","roles":["Support Engineer","Customer"]}]},
         "descriptions":{
           "severity":{
             "1":"Severity 1: fatal errors, or errors whose impact major functions of the production use of the software. Escalated to engineering at once when support has no immediate solution; at the latest after 4 business hours.",
             "2":"Severity 2: errors disabling only certain non-essential functions, or impairing major functions while the software is still operational. Troubleshot by support for 72 hours before escalation to engineering.",
             "3":"Severity 3: a minimal-impact error; all errors that are not severity 1 or 2. Escalated when support confirms an error in the software (a bug), or after two weeks of troubleshooting with no solution path."},
           "assignedTo":{"*":"The support engineer who owns the incident and keeps the customer informed, also after escalation."},
           "fields.engineer":{"*":"The engineer who owns the resolution once the incident is escalated to engineering."},
           "fields.confirmedBug":{"true":"Support confirmed an error in the software: a severity 3 incident is escalated to engineering at once."}}}
        """;

    private const string BugTracker = """
        {"key":"%BUG%","name":"Bug",
         "fields":[
           {"name":"product","type":"choice","choices":%PRODUCTS%},
           {"name":"fixVersion","type":"text"},
           {"name":"impactDataCollection","type":"bool"},
           {"name":"impactDataProcessing","type":"bool"},
           {"name":"impactDisplay","type":"bool"},
           {"name":"impactSecurity","type":"bool"},
           {"name":"workaround","type":"text"},
           {"name":"targetRelease","type":"text"},
           {"name":"noticeChangedAt","type":"datetime","stampOn":["fields.impactDataCollection","fields.impactDataProcessing","fields.impactDisplay","fields.impactSecurity","fields.workaround","fields.targetRelease"]},
           {"name":"statusChangedAt","type":"datetime","stampOn":["status"]}],
         "workflow":{"statuses":["Open","In Progress","Resolved","QA Verified","Closed"],"initial":"Open","transitions":[
           {"name":"Start work","from":"Open","to":"In Progress","roles":["Engineer","Engineering Manager"]},
           {"name":"Resolve","from":"Open","to":"Resolved","roles":["Engineer","Engineering Manager"],"requires":["fields.fixVersion"]},
           {"name":"Resolve","from":"In Progress","to":"Resolved","roles":["Engineer","Engineering Manager"],"requires":["fields.fixVersion"]},
           {"name":"Verify","from":"Resolved","to":"QA Verified","roles":["QA"]},
           {"name":"Reject fix","from":"Resolved","to":"In Progress","roles":["QA"]},
           {"name":"Reject fix","from":"QA Verified","to":"In Progress","roles":["QA"]},
           {"name":"Close","from":"QA Verified","to":"Closed","roles":["QA"]},
           {"name":"Reopen","from":"Closed","to":"Open","roles":["QA","Engineer","Engineering Manager"]}]},
         "descriptions":{
           "assignedTo":{"*":"The engineer assigned to analyse and solve the problem."},
           "fields.fixVersion":{"*":"The version of the product that fixes the problem; required to resolve the bug."},
           "fields.impactDataCollection":{"true":"The problem jeopardizes the integrity of data collection: affected customers are notified."},
           "fields.impactDataProcessing":{"true":"The problem jeopardizes the integrity of data processing: affected customers are notified."},
           "fields.impactDisplay":{"true":"The problem jeopardizes the integrity of displayed information: affected customers are notified."},
           "fields.impactSecurity":{"true":"The software is vulnerable or contains another potential security risk: affected customers are notified, marked as a security notice."}}}
        """;

    private const string ProactiveBody = """
        {update}We have learnt of a problem in {fields.product} that may affect you.

        Problem ({key}): {summary}
        {description}

        Workaround: {fields.workaround}
        Fix targeted for release: {fields.targetRelease}

        We will write again when the workaround or the targeted release changes.
        """;

    private static IEnumerable<string> EscalationGroups =>
    [
        """
        {"name":"Severity 1: escalate within 4 business hours","tracker":"%INC%","filter":"severity == 1 and status in (\"New\", \"Troubleshooting\")","rules":[
          {"name":"Escalate to engineering","anchor":"submittedAt","limit":"4","unit":"hours","basis":"working",
           "actions":{"transition":"Escalate to engineering","notify":{"assignees":true,"roles":["Engineering Manager"]}}}]}
        """,
        """
        {"name":"Severity 2: escalate after 72 hours of troubleshooting","tracker":"%INC%","filter":"severity == 2 and status in (\"New\", \"Troubleshooting\")","rules":[
          {"name":"Escalate to engineering","anchor":"submittedAt","limit":"72","unit":"hours","basis":"working",
           "actions":{"transition":"Escalate to engineering","notify":{"assignees":true,"roles":["Engineering Manager"]}}}]}
        """,
        """
        {"name":"Severity 3: escalate after two weeks, or when a bug is confirmed","tracker":"%INC%","filter":"severity == 3 and status in (\"New\", \"Troubleshooting\")","rules":[
          {"name":"Two weeks without a solution path","anchor":"submittedAt","limit":"10","unit":"days","basis":"working",
           "actions":{"transition":"Escalate to engineering","notify":{"assignees":true,"roles":["Engineering Manager"]}}},
          {"name":"Confirmed software error","anchor":"fields.confirmedAt","limit":"0","unit":"minutes","basis":"calendar",
           "actions":{"transition":"Escalate to engineering","notify":{"assignees":true,"roles":["Engineering Manager"]}}}]}
        """,
        """
        {"name":"Severity 1: engineering assessment within 24 hours","tracker":"%INC%","filter":"severity == 1 and status == \"Escalated\" and (fields.assessment is empty or fields.expectedResolution is empty)","rules":[
          {"name":"Assessment missing","anchor":"fields.statusChangedAt","limit":"24","unit":"hours","basis":"calendar",
           "actions":{"notify":{"roles":["Engineering Manager"],"assignees":true}}}]}
        """,
        """
        {"name":"Severity 1 outside engineering hours: on-call manager","tracker":"%INC%","filter":"severity == 1 and status == \"Escalated\" and fields.engineer is empty","rules":[
          {"name":"Call the on-call engineering manager","anchor":"fields.statusChangedAt","limit":"0","unit":"minutes","basis":"calendar","calendar":"%ENGINEERING%","outsideWorkingTime":true,
           "actions":{"notify":{"onCall":true,"subject":"[{key}] Severity 1 escalated outside engineering hours: assign a responsible engineer",
             "body":"{key}: {summary}\nEscalated to engineering at {fields.statusChangedAt}, outside engineering business hours.\nYou are the engineering manager on call: set the incident's engineer (fields.engineer) to the responsible engineer.\nSupport owner: {assignedTo}\nCustomer: {fields.customer}\n\nItem: {item}\n"}}},
          {"name":"Nobody assigned: alert every engineering manager","anchor":"fields.statusChangedAt","limit":"1","unit":"hours","basis":"calendar","calendar":"%ENGINEERING%","outsideWorkingTime":true,
           "actions":{"notify":{"roles":["Engineering Manager"]}}}]}
        """,
        """
        {"name":"Unassigned bugs","tracker":"%BUG%","filter":"status == \"Open\" and assignedTo is empty","rules":[
          {"name":"Assign an engineer","anchor":"submittedAt","limit":"4","unit":"hours","basis":"working","calendar":"%ENGINEERING%",
           "actions":{"notify":{"roles":["Engineering Manager"]}}}]}
        """,
        """
        {"name":"Corrected version available","tracker":"%BUG%","filter":"status == \"Closed\"","rules":[
          {"name":"Tell distribution and support","anchor":"fields.statusChangedAt","limit":"0","unit":"minutes","basis":"calendar",
           "actions":{"notify":{"roles":["Distribution","Support Engineer"],"recordInHistory":true,
             "subject":"[{key}] Fixed in {fields.product} {fields.fixVersion}: {summary}",
             "body":"QA verified and closed {key}: {summary}\nThe problem is fixed in {fields.product} version {fields.fixVersion}.\n\nDistribution: make the corrected version available for download on the customer portal.\nSupport: tell the customers of these incidents that the corrected version is available, then run 'Customer told of fix' on each:\n{links}\n\nItem: {item}\n"}}}]}
        """,
        ProactiveGroup("Proactive customer notification", "not (fields.impactSecurity == true) and (fields.impactDataCollection == true or fields.impactDataProcessing == true or fields.impactDisplay == true)", "Problem notice"),
        ProactiveGroup("Proactive customer notification: security", "fields.impactSecurity == true", "[Security] Problem notice"),
    ];

    private static string ProactiveGroup(string name, string filter, string subject) => JsonSerializer.Serialize(new
    {
        name,
        tracker = "%BUG%",
        filter,
        rules = new[]
        {
            new
            {
                name = "Notify the customers of the product",
                anchor = "fields.noticeChangedAt",
                limit = "0",
                unit = "minutes",
                basis = "calendar",
                actions = new
                {
                    notify = new
                    {
                        groups = new[] { "customers-{fields.product}" },
                        recordInHistory = true,
                        subject = "{update}" + subject + " for {fields.product}: {summary}",
                        body = ProactiveBody,
                    },
                },
            },
        },
    });
}
