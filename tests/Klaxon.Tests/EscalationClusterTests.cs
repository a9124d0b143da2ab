using System.Diagnostics;
using System.Net;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// Two nodes with their own dispatchers on one real PostgreSQL database, on the real clock: 10,000 escalations fall
/// due at the same moment and each fires exactly once (one fired row, one message), shared between the nodes.
/// This test always uses PostgreSQL, whichever backend the rest of the run uses: several nodes need it.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class EscalationClusterTests : IAsyncDisposable
{
    private const int Count = 10_000;
    private readonly Cluster cluster = new();

    public ValueTask DisposeAsync() => cluster.DisposeAsync();

    [Fact]
    public async Task TwoDispatchersOnOneDatabase_FireTenThousandEscalationsEachExactlyOnce()
    {
        var first = await cluster.StartNodeAsync(SystemClock.Instance);
        using var admin = Cluster.AdminClient(first);
        await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects", """{"key":"CLU","name":"Cluster"}"""));
        await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/CLU/trackers", EscalationProject.Tracker));
        var group = (long)(await Users.ExpectAsync(HttpStatusCode.Created, admin.PostJsonAsync("/api/v1/projects/CLU/escalation-groups", """
            {"name":"All","tracker":"TASK","filter":"true","rules":[{"name":"Now","anchor":"submittedAt","basis":"calendar","actions":{"notify":{"submitter":true}}}]}
            """)))["id"]!;
        var second = await cluster.StartNodeAsync(SystemClock.Instance);

        // 10,000 items submitted now, and their escalations due in three seconds, written in bulk.
        var now = SystemClock.Instance.GetCurrentInstant();
        var due = (now + Duration.FromSeconds(3)).ToUnixTimeMilliseconds();
        await using (var db = new KlaxonDbContext(cluster.Storage.Options()))
        {
            var items = Enumerable.Range(1, Count).Select(n => new ItemRow
            {
                Key = $"TASK-{n}", ProjectKey = "CLU", TrackerKey = "TASK", Number = n, Summary = $"Item {n}", Status = "New",
                Submitter = "admin", SubmittedAt = due, Version = 1, UpdatedAt = now.ToUnixTimeMilliseconds(),
            }).ToList();
            db.Items.AddRange(items);
            await db.SaveChangesAsync();
            db.Escalations.AddRange(items.Select(i => new EscalationRow
            {
                ItemId = i.Id, Kind = EscalationRow.EscalationKind, GroupId = group, Rule = 0, RuleName = "Now", Due = due,
                Status = EscalationState.Pending, CreatedAt = now.ToUnixTimeMilliseconds(),
            }));
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlRawAsync($"NOTIFY {DispatchSignal.Channel}");
        }

        var waited = Stopwatch.StartNew();
        await using var check = new KlaxonDbContext(cluster.Storage.Options());
        while (await check.Escalations.CountAsync(e => e.Status == EscalationState.Fired) < Count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(4), $"only {await check.Escalations.CountAsync(e => e.Status == EscalationState.Fired)} of {Count} fired in 4 minutes");
            await Task.Delay(250);
        }

        var rows = await check.Escalations.AsNoTracking().ToListAsync();
        Assert.Equal(Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(EscalationState.Fired, r.Status));
        var messages = await check.Messages.AsNoTracking().Select(m => new { m.EscalationId, m.FireId }).ToListAsync();
        Assert.Equal(Count, messages.Count);
        Assert.Equal(Count, messages.Select(m => m.EscalationId).Distinct().Count());
        Assert.All(rows, r => Assert.Contains(messages, m => m.EscalationId == r.Id && m.FireId == r.FireId));
        var owners = rows.GroupBy(r => r.Owner).ToDictionary(g => g.Key!, g => g.Count());
        var ids = cluster.Nodes.Select(n => n.Services.GetRequiredService<Dispatcher>().NodeId).ToList();
        Assert.True(owners.Keys.All(ids.Contains), "every escalation was fired by one of the two nodes");
        Assert.True(owners.Count == 2, $"both nodes should have fired some: {string.Join(", ", owners.Select(o => $"{o.Key}={o.Value}"))}");
    }
}
