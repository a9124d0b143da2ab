using System.Net.Http.Headers;
using Klaxon.Delivery;
using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Klaxon.Tests;

/// <summary>The multi-node tests on the real clock run one after the other: each is heavy, and both have time limits.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterTests
{
    public const string Name = "Cluster tests";
}

/// <summary>
/// Several Klaxon nodes on one real PostgreSQL database of their own, with pooled connections as production nodes
/// have them (the other tests' databases are unpooled). Always PostgreSQL, whichever backend the rest of the run
/// uses: several nodes need it. Disposing stops the nodes and drops the database.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly List<WebApplication> nodes = [];

    public StorageLocation Storage { get; } = new(RunningServer.NewDataDirectory(),
        new Npgsql.NpgsqlConnectionStringBuilder(TestPostgres.NewDatabase()) { Pooling = true }.ConnectionString);

    /// <summary>The nodes started so far, in order.</summary>
    public IReadOnlyList<WebApplication> Nodes => nodes;

    /// <summary>Starts one more node on <paramref name="clock"/>, with the administrator's token and <paramref name="delivery"/>.</summary>
    public async Task<WebApplication> StartNodeAsync(IClock clock, DeliverySettings? delivery = null)
    {
        var node = await KlaxonServer.CreateAsync(new ServerSettings
        {
            AdminToken = RunningServer.Token, Storage = Storage, Urls = "http://127.0.0.1:0", Clock = clock,
            MinimumLogLevel = LogLevel.Warning, Delivery = delivery ?? new DeliverySettings(),
        });
        await node.StartAsync();
        nodes.Add(node);
        return node;
    }

    /// <summary>A client of <paramref name="node"/> that sends the administrator's token.</summary>
    public static HttpClient AdminClient(WebApplication node)
    {
        var client = new HttpClient { BaseAddress = new Uri(KlaxonServer.Addresses(node).Single()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningServer.Token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.StopAsync();
            await node.DisposeAsync();
        }
        RunningServer.DeleteStorage(Storage);
    }
}
