using System.Text.Json;
using Klaxon.Core.Tracking;
using Klaxon.Delivery;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

public sealed record WebhookRequest
{
    /// <summary>An absolute http or https URL the payloads are posted to.</summary>
    public string? Url { get; init; }

    /// <summary>The events to send: <c>escalation</c>, <c>reminder</c>, <c>transition</c>, <c>assignment</c> (see <see cref="WebhookEvents"/>).</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>The key of the HMAC-SHA256 signature in <c>X-Klaxon-Signature</c>; never shown again.</summary>
    public string? Secret { get; init; }
    public bool? Enabled { get; init; }
}

/// <summary>A webhook as clients see it: never its secret.</summary>
public sealed record WebhookAnswer(long Id, string Project, string Url, IReadOnlyList<string> Events, bool Enabled, string CreatedAt);

/// <summary>
/// A project's webhooks (Project Admin rights): each event of a subscribed kind is posted as JSON with
/// <c>X-Klaxon-Signature: sha256=HEX</c> (HMAC-SHA256 of the body under the secret), <c>X-Klaxon-Delivery</c> (stable
/// across retries, for the receiver to de-duplicate) and <c>X-Klaxon-Event</c>, through the outbox.
/// </summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/projects/{key}/webhooks").WithTags("Webhooks");
        api.MapGet("", List).WithSummary("The project's webhooks.").ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("", Create).WithSummary("Adds a webhook: {\"url\",\"events\":[…],\"secret\"}.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:long}", Get).WithSummary("One webhook.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/{id:long}", Replace).WithSummary("Replaces a webhook (a secret left out stays as it is).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{id:long}", Delete).WithSummary("Removes a webhook; its undelivered messages are skipped.").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<List<WebhookAnswer>>> List(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var rows = await db.Webhooks.AsNoTracking().Where(h => h.ProjectKey == key).OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(Answer).ToList());
    }

    public static async Task<Created<WebhookAnswer>> Create(string key, WebhookRequest request, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var (url, events) = Validate(request, secretRequired: true);
        var row = new WebhookRow
        {
            ProjectKey = key, Url = url, Events = JsonSerializer.Serialize(events), Secret = request.Secret!, Enabled = request.Enabled ?? true,
            CreatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds(),
        };
        db.Webhooks.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/projects/{key}/webhooks/{row.Id}", Answer(row));
    }

    public static async Task<Ok<WebhookAnswer>> Get(string key, long id, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        return TypedResults.Ok(Answer(await FindAsync(db, key, id, cancellationToken)));
    }

    public static async Task<Ok<WebhookAnswer>> Replace(string key, long id, WebhookRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var row = await FindAsync(db, key, id, cancellationToken);
        var (url, events) = Validate(request, secretRequired: false);
        (row.Url, row.Events, row.Enabled) = (url, JsonSerializer.Serialize(events), request.Enabled ?? true);
        if (request.Secret is not null) row.Secret = request.Secret;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(Answer(row));
    }

    public static async Task<NoContent> Delete(string key, long id, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        db.Webhooks.Remove(await FindAsync(db, key, id, cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<WebhookRow> FindAsync(KlaxonDbContext db, string key, long id, CancellationToken cancellationToken) =>
        await db.Webhooks.SingleOrDefaultAsync(h => h.Id == id && h.ProjectKey == key, cancellationToken)
        ?? throw ProblemException.NotFound($"Project {key} has no webhook {id}.");

    private static (string Url, List<string> Events) Validate(WebhookRequest request, bool secretRequired)
    {
        var errors = new List<Core.Diagnostic>();
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            errors.Add(new("url", request.Url is null ? "is required: an absolute http or https URL." : $"'{request.Url}' is not an absolute http or https URL."));
        var events = request.Events?.ToList() ?? [];
        if (events.Count == 0) errors.Add(new("events", $"name at least one event: {string.Join(", ", WebhookEvents.All)}."));
        foreach (var unknown in events.Where(e => !WebhookEvents.All.Contains(e)).Distinct())
            errors.Add(new("events", $"'{unknown}' is not an event; use {string.Join(", ", WebhookEvents.All)}."));
        if (request.Secret is null ? secretRequired : request.Secret.Length < 16)
            errors.Add(new("secret", "is required: at least 16 characters, the key of the HMAC-SHA256 signature."));
        ProblemException.ThrowIfAny(errors);
        return (url!.ToString(), events.Distinct().ToList());
    }

    private static WebhookAnswer Answer(WebhookRow row) => new(
        row.Id, row.ProjectKey, row.Url, JsonSerializer.Deserialize<List<string>>(row.Events) ?? [], row.Enabled, IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(row.CreatedAt)));
}
