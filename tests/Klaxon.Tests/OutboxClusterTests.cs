using System.Diagnostics;
using Klaxon.Delivery;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>
/// Two nodes with their own outbox workers on one real PostgreSQL database and one real SMTP server, on the real
/// clock: 1,200 recorded messages are each mailed exactly once, and both nodes take a share (claims by conditional
/// update). This test always uses PostgreSQL, whichever backend the rest of the run uses: several nodes need it.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class OutboxClusterTests : IAsyncDisposable
{
    private const int Count = 1_200;
    private readonly Cluster cluster = new();

    public ValueTask DisposeAsync() => cluster.DisposeAsync();

    [Fact]
    public async Task TwoWorkersOnOneDatabase_MailEachMessageExactlyOnce()
    {
        await using var sink = await SmtpSink.StartNewAsync();
        var delivery = sink.Settings() with { RateLimit = new RateLimit(1_000, 1) };
        for (var n = 0; n < 2; n++) await cluster.StartNodeAsync(SystemClock.Instance, delivery);

        await using (var db = new KlaxonDbContext(cluster.Storage.Options()))
        {
            db.Messages.AddRange(Enumerable.Range(1, Count).Select(i => new MessageRow
            {
                FireId = $"fire-{i}", Kind = "escalation", Recipient = $"user{i}", Email = $"user{i}@example.test", Subject = $"Message {i}",
                Body = $"Body {i}", Html = $"<p>Body {i}</p>", Status = MessageState.Pending, DeliveryId = Guid.NewGuid().ToString("N"), ProjectKey = "CLU",
            }));
            await db.SaveChangesAsync();
        }
        foreach (var node in cluster.Nodes) node.Services.GetRequiredService<OutboxSignal>().Wake();

        var waited = Stopwatch.StartNew();
        await using var check = new KlaxonDbContext(cluster.Storage.Options());
        while (await check.Messages.CountAsync(m => m.Status == MessageState.Sent) < Count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), $"only {await check.Messages.CountAsync(m => m.Status == MessageState.Sent)} of {Count} sent in 3 minutes");
            await Task.Delay(250);
        }
        var mails = await sink.WaitForAsync(Count);
        await Task.Delay(500);
        mails = sink.Mails();
        Assert.Equal(Count, mails.Count);
        Assert.Equal(Count, mails.Select(m => m.To).Distinct().Count());
        var owners = await check.Messages.GroupBy(m => m.Owner).Select(g => new { Owner = g.Key, Sent = g.Count() }).ToListAsync();
        var ids = cluster.Nodes.Select(n => n.Services.GetRequiredService<OutboxWorker>().NodeId).ToList();
        Assert.All(owners, o => Assert.Contains(o.Owner, ids));
        Assert.True(owners.Count == 2, $"both nodes should have sent some: {string.Join(", ", owners.Select(o => $"{o.Owner}={o.Sent}"))}");
    }
}
