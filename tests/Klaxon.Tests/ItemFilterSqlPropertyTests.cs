using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Klaxon.Core.Expressions;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Xunit.Abstractions;

namespace Klaxon.Tests;

/// <summary>
/// The evaluator (<see cref="CompiledExpression.Matches"/> over <see cref="ItemFields"/>) and the SQL translation
/// (<see cref="ItemFilterSql"/> through <see cref="ItemQuery.Matching"/>) select the same items, for random
/// filters over random items, on SQLite and on PostgreSQL. The seed is fixed; set KLAXON_PROPERTY_SEED to try
/// another. A failure names the seed, the filter, the SQL and the item on which the two disagree.
/// </summary>
public sealed class ItemFilterSqlPropertyTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_261_122;
    private const int ItemCount = 300;
    private const int FilterCount = 600;
    private const int MaxFailures = 5;

    private static int Seed =>
        Environment.GetEnvironmentVariable("KLAXON_PROPERTY_SEED") is { Length: > 0 } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : DefaultSeed;

    [Fact]
    public Task RandomFilters_OnSqlite_SelectWhatTheEvaluatorSelects() => CheckAsync(postgres: false, Seed);

    [Fact]
    public Task RandomFilters_OnPostgreSql_SelectWhatTheEvaluatorSelects() => CheckAsync(postgres: true, Seed);

    private async Task CheckAsync(bool postgres, int seed)
    {
        var watch = Stopwatch.StartNew();
        await using var scratch = await ScratchDatabase.CreateAsync(postgres);
        var db = scratch.Db;

        var rng = new Random(seed);
        // now() as the server passes it: truncated to the millisecond.
        var now = Instant.FromUnixTimeMilliseconds(Instant.FromUtc(2026, 3, 10, 9, 0).ToUnixTimeMilliseconds() + rng.Next(1000));
        var random = new RandomItemFilters(rng, now);
        var items = Enumerable.Range(1, ItemCount).Select(n => random.Item(n)).ToList();
        // Items of another tracker and another project, which no listing of the tracker may return.
        var others = new[] { random.Item(1, tracker: "BUG"), random.Item(1, project: "OTHER", tracker: "OTH") };
        db.Items.AddRange(items);
        db.Items.AddRange(others);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var dialect = ItemQuery.DialectOf(db);
        var schema = RandomItemFilters.Tracker.Schema;
        int compared = 0, rejected = 0, matchedSome = 0;
        var failures = new List<string>();
        for (var n = 0; compared < FilterCount; n++)
        {
            Assert.True(n < FilterCount * 3, $"Seed {seed}: only {compared} of {n} generated filters compiled; the generator writes too many ill-typed ones.");
            var text = random.Filter();
            var compiled = Expression.Compile(text, schema, ExprType.Bool);
            if (!compiled.Success)
            {
                rejected++;
                continue;
            }
            var filter = compiled.Expression!;
            compared++;
            var expected = items.Where(i => filter.Matches(new ItemFields(i, RandomItemFilters.Tracker), now)).Select(i => i.Id).ToHashSet();
            List<long> actual;
            try
            {
                actual = await ItemQuery.Matching(db, RandomItemFilters.Project, RandomItemFilters.TrackerKey, filter, now).Select(i => i.Id).ToListAsync();
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                failures.Add($"{Describe(seed, dialect, filter, now)}{Environment.NewLine}The database refused it: {e.Message}");
                if (failures.Count == MaxFailures) break;
                continue;
            }
            if (expected.Count > 0 && expected.Count < items.Count) matchedSome++;
            var actualSet = actual.ToHashSet();
            if (actualSet.SetEquals(expected)) continue;
            var message = new StringBuilder(Describe(seed, dialect, filter, now));
            if (items.FirstOrDefault(i => expected.Contains(i.Id) != actualSet.Contains(i.Id)) is { } disagreeing)
            {
                message.AppendLine().Append($"Item (evaluator: {(expected.Contains(disagreeing.Id) ? "match" : "no match")}, SQL: {(actualSet.Contains(disagreeing.Id) ? "match" : "no match")}): ")
                    .Append(System.Text.Json.JsonSerializer.Serialize(disagreeing));
            }
            if (actual.Any(id => others.Any(o => o.Id == id))) message.AppendLine().Append("The SQL returned an item of another tracker or project.");
            failures.Add(message.ToString());
            if (failures.Count == MaxFailures) break;
        }
        Assert.True(failures.Count == 0, $"{failures.Count} filter(s) disagree:{Environment.NewLine}{string.Join(Environment.NewLine + Environment.NewLine, failures)}");
        output.WriteLine($"{dialect}, seed {seed}: {compared} filters over {items.Count} items agree ({matchedSome} selected some but not all; {rejected} generated filters did not type-check) in {watch.ElapsedMilliseconds} ms.");
        Assert.True(matchedSome > compared / 4, $"Seed {seed}: only {matchedSome} of {compared} filters selected some but not all items; the generator is too one-sided.");
    }

    private static string Describe(int seed, SqlDialect dialect, CompiledExpression filter, Instant now)
    {
        var sql = ItemFilterSql.Translate(filter, dialect, now);
        var parameters = string.Join(", ", sql.Parameters.Select(p => $"{p.Key} = '{p.Value}'"));
        return $"Seed {seed} ({dialect}), now = {NodaTime.Text.InstantPattern.ExtendedIso.Format(now)}:{Environment.NewLine}Filter: {filter.Text}{Environment.NewLine}SQL: {sql.Sql}{Environment.NewLine}Parameters: {parameters}";
    }
}
