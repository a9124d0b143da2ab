using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Klaxon.Core.Calendars;
using Klaxon.Core.Escalation;
using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;
using NodaTime;

namespace Klaxon.Bench;

/// <summary>
/// Schedule computation in Core: for each item, every group's predicate and every rule's due (5 groups × 3 rules,
/// working and calendar time, formulas as limits), over 100,000 items. One operation is one item-schedule.
/// </summary>
[MemoryDiagnoser]
public class ScheduleBenchmarks
{
    private const int Items = 100_000;
    private static readonly Instant Now = Instant.FromUtc(2026, 6, 1, 12, 0);
    private EscalationPlan[] plans = [];
    private IFieldValues[] items = [];
    private WorkingCalendar calendar = null!;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        calendar = new CalendarCatalog([BenchCalendars.Definition]).Get("bench");
        var tracker = new TrackerDocument
        {
            Key = "INC",
            Name = "Incident",
            Fields = [new CustomFieldDocument { Name = "region", Type = "choice", Choices = ["EMEA", "APAC"] }],
            Workflow = new WorkflowDocument { Statuses = ["New", "Open", "Resolved", "Closed"], Initial = "New", Transitions = [] },
        }.ToTracker(Permissions.DefaultRoles.Keys.ToList()).Value;
        var context = new EscalationContext(tracker, Permissions.DefaultRoles.Keys.ToList(), _ => true, _ => true, _ => null);
        string[] filters =
        [
            "status in (\"New\", null)",
            "status != \"Closed\" and priority <= 2",
            "status not in (\"Resolved\", \"Closed\") and assignedTo is empty",
            "severity == 1 or fields.region == \"EMEA\"",
            "status == \"Open\" and resolution is empty",
        ];
        plans = [.. filters.Select((filter, g) => JsonSerializer.Deserialize<EscalationGroupDocument>($$"""
            {"name":"g{{g}}","tracker":"INC","filter":{{JsonSerializer.Serialize(filter)}},"rules":[
              {"name":"first","anchor":"submittedAt","limit":"(priority == 1 or priority == 2) ? 1 : 4","unit":"hours"},
              {"name":"second","anchor":"endDate","limit":"-estimatedHours","unit":"hours"},
              {"name":"repeat","anchor":"afterLastEscalation","limit":"8","unit":"hours","basis":"calendar"}]}
            """, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.ToGroup(context).Value.Plan)];
        var random = new Random(7);
        var statuses = new[] { "New", "Open", "Resolved", "Closed" };
        items = [.. Enumerable.Range(0, Items).Select(i => (IFieldValues)new DictionaryFieldValues(new Dictionary<string, object?>
        {
            ["status"] = statuses[random.Next(statuses.Length)],
            ["priority"] = (decimal)random.Next(1, 6),
            ["severity"] = (decimal)random.Next(1, 4),
            ["submittedAt"] = Now - Duration.FromMinutes(random.Next(0, 60 * 24 * 30)),
            ["endDate"] = random.Next(3) == 0 ? null : Now + Duration.FromMinutes(random.Next(0, 60 * 24 * 30)),
            ["estimatedHours"] = random.Next(4) == 0 ? null : (decimal)random.Next(1, 40),
            ["assignedTo"] = random.Next(2) == 0 ? (IReadOnlyList<string>)[] : ["ann"],
            ["fields.region"] = random.Next(2) == 0 ? "EMEA" : "APAC",
        }))];
    }

    [Benchmark(Description = "one item: 5 groups x 3 rules")]
    public int ItemSchedule()
    {
        var item = items[next++ % Items];
        var count = 0;
        foreach (var plan in plans)
        {
            if (!plan.Selects(item, Now)) continue;
            count += plan.Schedule(item, Now, [], _ => calendar).Count;
        }
        return count;
    }
}
