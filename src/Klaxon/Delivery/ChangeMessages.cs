using System.Text.Json;
using System.Text.Json.Nodes;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Delivery;

/// <summary>A project's switches for <see cref="ChangeMessages"/>: whether people's transitions, and people's assignments, send messages.</summary>
public sealed record ChangeMessageSwitch(bool Transitions, bool Assignments)
{
    public static ChangeMessageSwitch Default { get; } = new(true, true);
}

/// <summary>
/// Each project's <see cref="ChangeMessageSwitch"/>, kept in the configuration cache (<see cref="ConfigCache"/>), so that
/// a change that may send messages does not read its project for them; storing the switches raises the configuration
/// version, on every node at once.
/// </summary>
public sealed class ChangeMessageSwitches(ConfigCache cache)
{
    public async Task<ChangeMessageSwitch> GetAsync(KlaxonDbContext db, string projectKey, CancellationToken cancellationToken) =>
        await cache.GetAsync(db, ("changeMessages", projectKey), () => db.Projects.AsNoTracking().Where(p => p.Key == projectKey)
            .Select(p => new ChangeMessageSwitch(p.ChangeMessagesTransitions, p.ChangeMessagesAssignments)).SingleOrDefaultAsync(cancellationToken), cancellationToken)
        ?? ChangeMessageSwitch.Default;
}

/// <summary>
/// The messages changes made by people send, recorded with the change (<see cref="ItemChanges.Recorder"/>): each user a
/// person newly assigns, other than that person, gets an <see cref="MessageTemplates.Assignment"/> message; a workflow
/// transition a person runs tells the item's submitter, assignees and supervisors other than that person, each once, with
/// a <see cref="MessageTemplates.Transition"/> message (the newly assigned get their assignment message instead); and
/// webhooks subscribed to <see cref="WebhookEvents.Assignment"/> or <see cref="WebhookEvents.Transition"/> get one
/// delivery per change. Escalation actions send none of these: their rule's notify action decides who hears.
/// A project can turn either kind off (<see cref="ChangeMessageSwitch"/>).
/// </summary>
public sealed class ChangeMessages(KlaxonDbContext db, DeliverySettings settings, ChangeMessageSwitches switches, Action? recorded = null)
{
    /// <summary>The recorder for changes made through <paramref name="db"/>; whoever commits them wakes the outbox (<see cref="OutboxSignal"/>).</summary>
    public static ChangeRecorder For(IServiceProvider services, KlaxonDbContext db) =>
        new ChangeMessages(db, services.GetRequiredService<DeliverySettings>(), services.GetRequiredService<ChangeMessageSwitches>()).RecordAsync;

    /// <summary>
    /// The recorder for the changes a request makes through <paramref name="db"/>: when it records messages, this node's
    /// outbox is woken once the request has completed, when the change is committed (or refused, which costs a look).
    /// </summary>
    public static ChangeRecorder ForRequest(HttpContext http, KlaxonDbContext db)
    {
        var services = http.RequestServices;
        var woken = false;
        return new ChangeMessages(db, services.GetRequiredService<DeliverySettings>(), services.GetRequiredService<ChangeMessageSwitches>(), () =>
        {
            if (woken) return;
            woken = true;
            var outbox = services.GetRequiredService<OutboxSignal>();
            http.Response.OnCompleted(() =>
            {
                outbox.Wake();
                return Task.CompletedTask;
            });
        }).RecordAsync;
    }

    public async Task<IReadOnlyList<object>> RecordAsync(ItemChange change, ItemActor actor, CancellationToken cancellationToken)
    {
        var item = change.Item;
        var creation = change.Changes is [{ Field: ItemChanges.CreatedField }];
        // The common changes — an item created without assignees, an edit of other fields — read nothing.
        if (actor.IsEscalation || (creation && item.AssignedTo == "[]")) return [];
        var after = Logins(item.AssignedTo);
        // The assignees before the change, when it changed them (a new item's had none).
        List<string>? assignment = null;
        if (creation) assignment = after.Count > 0 ? [] : null;
        else if (change.Changes.FirstOrDefault(c => c.Field == "assignedTo") is { } set) assignment = [.. ItemValues.Logins(set.OldValue)];
        var transition = change.Transition;
        if (assignment is null && transition is null) return [];

        var on = await switches.GetAsync(db, item.ProjectKey, cancellationToken);
        var before = on.Assignments ? assignment : null;
        if (before is null && !(transition is not null && on.Transitions)) return [];

        var directory = new RecipientDirectory(db);
        var link = settings.ItemLink(item.Key);
        var at = item.UpdatedAt;
        var rows = new List<object>();
        List<string> assigned = [];
        if (before is not null)
        {
            assigned = [.. after.Except(before).Where(l => l != actor.Name)];
            var detail = new JsonObject
            {
                ["by"] = actor.Name,
                ["before"] = Array(before),
                ["after"] = Array(after),
                ["added"] = Array(after.Except(before)),
                ["removed"] = Array(before.Except(after)),
            };
            var message = MessageTemplates.ForAssignment(item, actor.Name, before, after, link);
            var fired = new Notifications.Fired(FireId(item, WebhookEvents.Assignment), null, item, WebhookEvents.Assignment, message, $"Assigned by {actor.Name}", detail)
            {
                Template = MessageTemplates.Assignment,
            };
            rows.AddRange(await Notifications.RecordAsync(db, directory, settings, fired, assigned, at, cancellationToken));
        }
        if (transition is not null && on.Transitions)
        {
            var from = (string)change.Changes.First(c => c.Field == "status").OldValue!;
            var people = new[] { item.Submitter }.Concat(after).Concat(Logins(item.Supervisors))
                .Where(l => l != actor.Name && !assigned.Contains(l)).Distinct().ToList();
            var detail = new JsonObject { ["by"] = actor.Name, ["name"] = transition.Name, ["from"] = from, ["to"] = item.Status };
            var message = MessageTemplates.ForTransition(item, actor.Name, transition.Name, from, item.Status, link);
            var fired = new Notifications.Fired(FireId(item, WebhookEvents.Transition), null, item, WebhookEvents.Transition, message,
                $"{transition.Name}: {from} → {item.Status} by {actor.Name}", detail) { Template = MessageTemplates.Transition };
            rows.AddRange(await Notifications.RecordAsync(db, directory, settings, fired, people, at, cancellationToken));
        }
        if (rows.Count > 0) recorded?.Invoke();
        return rows;
    }

    /// <summary>One per item version and kind: a change is recorded once, whatever retries its save needed.</summary>
    private static string FireId(ItemRow item, string kind) => $"change-{item.Id}-v{item.Version}-{kind}";

    private static List<string> Logins(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    private static JsonArray Array(IEnumerable<string> logins) => [.. logins.Select(l => (JsonNode?)l)];
}
