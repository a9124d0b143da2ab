using System.Text;
using Klaxon.Core.Expressions;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// Cases the property test found or that need a shape it rarely makes, each on SQLite and PostgreSQL: the SQL
/// selects exactly what the evaluator selects, and a plain status/priority filter is served by the index.
/// </summary>
public sealed class ItemFilterSqlTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 10, 9, 0);
    private static readonly long Submitted = Instant.FromUtc(2026, 3, 9, 9, 0).ToUnixTimeMilliseconds();

    private static ItemRow Item(int number, Action<ItemRow> change)
    {
        var item = new ItemRow
        {
            Key = $"INC-{number}",
            ProjectKey = RandomItemFilters.Project,
            TrackerKey = RandomItemFilters.TrackerKey,
            Number = number,
            Summary = $"Item {number}",
            Status = "New",
            Submitter = "ann",
            SubmittedAt = Submitted,
        };
        change(item);
        return item;
    }

    private static readonly ItemRow[] Items =
    [
        // contains() over a list holding the item's own key: inside json_each, "key" and "value" are its columns.
        Item(1, i => i.Supervisors = """["INC-1","bob"]"""),
        Item(2, i => i.Supervisors = """["0","1"]"""),
        // A duration of 1h / 7 is 514,285.714 ms; stored instants are whole milliseconds.
        Item(3, i => i.StartDate = Submitted + 514_285),
        Item(4, i => i.StartDate = Submitted + 514_286),
        // Lists written with spaces are still empty.
        Item(5, i => { i.AssignedTo = "[ ]"; i.Priority = 2; }),
        Item(6, i => { i.AssignedTo = """[ "ann" ]"""; i.Priority = 3; i.EstimatedHours = 2.5; }),
    ];

    [Theory]
    [InlineData(false, "contains(supervisors, key)", "INC-1")]
    [InlineData(true, "contains(supervisors, key)", "INC-1")]
    [InlineData(false, "contains(supervisors, (key == \"INC-2\") ? \"0\" : \"bob\")", "INC-1,INC-2")]
    [InlineData(true, "contains(supervisors, (key == \"INC-2\") ? \"0\" : \"bob\")", "INC-1,INC-2")]
    [InlineData(false, "startDate - submittedAt >= 1h / 7", "INC-3,INC-4")]
    [InlineData(true, "startDate - submittedAt >= 1h / 7", "INC-3,INC-4")]
    [InlineData(false, "startDate - submittedAt <= 1h / 7", "INC-3")]
    [InlineData(true, "startDate - submittedAt <= 1h / 7", "INC-3")]
    [InlineData(false, "startDate == submittedAt + 514.2859s", "INC-3")]
    [InlineData(true, "startDate == submittedAt + 514.2859s", "INC-3")]
    [InlineData(false, "assignedTo is empty and priority == 2", "INC-5")]
    [InlineData(true, "assignedTo is empty and priority == 2", "INC-5")]
    [InlineData(false, "contains(assignedTo, \"ann\")", "INC-6")]
    [InlineData(true, "contains(assignedTo, \"ann\")", "INC-6")]
    public async Task Translation_SelectsWhatTheEvaluatorSelects(bool postgres, string filter, string keys)
    {
        await using var scratch = await SeededAsync(postgres);

        Assert.Equal(keys, string.Join(",", Evaluate(filter)));
        Assert.Equal(keys, string.Join(",", await SelectAsync(scratch, filter)));
    }

    /// <summary>On PostgreSQL a bare NULL in arithmetic, CASE or COALESCE has no type: "operator is not unique: - unknown".</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ExpressionsOfTheNullType_RunOnBothDatabases(bool postgres)
    {
        await using var scratch = await SeededAsync(postgres);
        foreach (var filter in new[]
        {
            "-null is null", "(null + null) is null", "(null - null) > 2", "((priority > 1) ? null : null) == priority",
            "coalesce(null, null) != estimatedHours", "(true ? null : null) < 4h", "-null >= fields.due", "((priority > 2) ? priority : null) == 3",
            "(priority % ((priority > 1) ? null : null)) is null", "contains(null, \"ann\") or contains(assignedTo, null)", "hoursBetween(null, submittedAt) is null",
        })
        {
            var evaluated = string.Join(",", Evaluate(filter));
            Assert.True(evaluated == string.Join(",", await SelectAsync(scratch, filter)), $"{filter}: the SQL differs from the evaluator ({evaluated})");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStatusAndPriorityFilter_IsServedByTheListingIndex(bool postgres)
    {
        await using var scratch = await ScratchDatabase.CreateAsync(postgres);
        var db = scratch.Db;
        var filter = Compile("status == \"New\" and priority <= 2");
        var condition = ItemFilterSql.Translate(filter, scratch.Dialect, Now);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        if (postgres)
        {
            command.CommandText = "SET enable_seqscan = off";
            await command.ExecuteNonQueryAsync();
        }
        command.CommandText = $"""{(postgres ? "EXPLAIN" : "EXPLAIN QUERY PLAN")} SELECT * FROM "items" WHERE "project_key" = 'PROP' AND "tracker_key" = 'INC' AND {condition.Sql}""";
        foreach (var (name, value) in condition.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        var plan = new StringBuilder();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) plan.AppendLine(reader.GetValue(reader.FieldCount - 1).ToString());
        }

        var text = plan.ToString();
        Assert.Contains("IX_items_project_key_tracker_key_status_priority", text);
        if (postgres) Assert.Matches(@"Index Cond: .*status.*priority <= 2", text);
        else Assert.Contains("(project_key=? AND tracker_key=? AND status=? AND priority>? AND priority<?)", text);
    }

    private static CompiledExpression Compile(string filter)
    {
        var compiled = Expression.Compile(filter, RandomItemFilters.Tracker.Schema, ExprType.Bool);
        Assert.True(compiled.Success, string.Join("; ", compiled.Errors));
        return compiled.Expression!;
    }

    private static IEnumerable<string> Evaluate(string filter)
    {
        var compiled = Compile(filter);
        return Items.Where(i => compiled.Matches(new ItemFields(i, RandomItemFilters.Tracker), Now)).Select(i => i.Key);
    }

    private static async Task<ScratchDatabase> SeededAsync(bool postgres)
    {
        var scratch = await ScratchDatabase.CreateAsync(postgres);
        scratch.Db.Items.AddRange(Items.Select(Copy));
        await scratch.Db.SaveChangesAsync();
        return scratch;
    }

    private static Task<List<string>> SelectAsync(ScratchDatabase scratch, string filter) =>
        ItemQuery.Matching(scratch.Db, RandomItemFilters.Project, RandomItemFilters.TrackerKey, Compile(filter), Now)
            .OrderBy(i => i.Number).Select(i => i.Key).ToListAsync();

    private static ItemRow Copy(ItemRow i) => new()
    {
        Key = i.Key, ProjectKey = i.ProjectKey, TrackerKey = i.TrackerKey, Number = i.Number, Summary = i.Summary, Status = i.Status,
        Priority = i.Priority, Severity = i.Severity, Submitter = i.Submitter, SubmittedAt = i.SubmittedAt, AssignedTo = i.AssignedTo,
        Supervisors = i.Supervisors, StartDate = i.StartDate, EndDate = i.EndDate, EstimatedHours = i.EstimatedHours, Fields = i.Fields,
    };
}
