using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Klaxon.Tests;

/// <summary>A webhook request as the receiver got it.</summary>
public sealed record ReceivedHook(string Path, string Body, string? Signature, string? DeliveryId, string? Event, int AnsweredWith);

/// <summary>
/// A real HTTP receiver on loopback (Kestrel) that records every request and answers with the status
/// <see cref="Answer"/> gives for the request's number (1 = the first): 200 unless told otherwise.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int count;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<ReceivedHook> Requests { get; } = new();

    public Func<int, int> Answer { get; set; } = _ => 200;

    public Uri Address { get; private set; } = null!;

    public string Url(string path = "/hooks/klaxon") => new Uri(Address, path).ToString();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = receiver.Answer(Interlocked.Increment(ref receiver.count));
            receiver.Requests.Enqueue(new ReceivedHook(context.Request.Path, body, context.Request.Headers["X-Klaxon-Signature"], context.Request.Headers["X-Klaxon-Delivery"],
                context.Request.Headers["X-Klaxon-Event"], status));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status == 200 ? "ok" : "receiver is failing");
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Urls.Single());
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived, then returns all.</summary>
    public async Task<List<ReceivedHook>> WaitForAsync(int count, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (Requests.Count < count)
        {
            if (DateTime.UtcNow > until) Assert.Fail($"Waited {seconds} s for {count} webhook request(s); {Requests.Count} came.");
            await Task.Delay(25);
        }
        return [.. Requests];
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
