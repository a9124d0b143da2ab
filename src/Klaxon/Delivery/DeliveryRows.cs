namespace Klaxon.Delivery;

/// <summary>A webhook of a project: where its events are posted, which ones, and the secret their signature uses.</summary>
public sealed class WebhookRow
{
    public long Id { get; set; }
    public required string ProjectKey { get; set; }
    public required string Url { get; set; }

    /// <summary>JSON array of event names (<see cref="WebhookEvents"/>).</summary>
    public required string Events { get; set; }
    public required string Secret { get; set; }
    public bool Enabled { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>The current rate-limit window of one recipient for one project's messages: when it started and how many mails it sent.</summary>
public sealed class RateWindowRow
{
    public required string Recipient { get; set; }
    public required string ProjectKey { get; set; }
    public long StartedAt { get; set; }
    public int Sent { get; set; }
}

/// <summary>
/// The events a webhook can subscribe to: the kinds of message Klaxon records. A rule's fire is an
/// <see cref="Escalation"/> whatever its actions changed; <see cref="Transition"/> and <see cref="Assignment"/> are
/// changes people made (<see cref="ChangeMessages"/>).
/// </summary>
public static class WebhookEvents
{
    public const string Escalation = "escalation";
    public const string Reminder = "reminder";

    /// <summary>A person ran a workflow transition.</summary>
    public const string Transition = "transition";

    /// <summary>A person changed an item's assignees, or created it with some.</summary>
    public const string Assignment = "assignment";

    public static IReadOnlyList<string> All { get; } = [Escalation, Reminder, Transition, Assignment];
}
