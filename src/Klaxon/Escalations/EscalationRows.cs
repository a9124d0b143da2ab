namespace Klaxon.Escalations;

// The stored vocabulary of the escalation engine (Quartz-like: a due job is a row with a state and an integer
// UTC fire time, indexed by state and time). What the API shows is mapped from it in EscalationsApi.

/// <summary>An escalation group of one tracker: its document (EscalationGroupDocument JSON) and whether it is on.</summary>
public sealed class EscalationGroupRow
{
    public long Id { get; set; }
    public required string ProjectKey { get; set; }
    public required string TrackerKey { get; set; }
    public required string Name { get; set; }
    public required string Document { get; set; }
    public bool Enabled { get; set; }
    public int Version { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>The stored states of an escalation or reminder.</summary>
public static class EscalationState
{
    /// <summary>Waiting for its due instant.</summary>
    public const string Pending = "pending";

    /// <summary>A node has taken it (owner, lease, fire id) and is firing it; an expired lease makes it pending again.</summary>
    public const string Claimed = "claimed";

    public const string Fired = "fired";

    /// <summary>The item left the group's predicate (or the group was disabled or deleted) before it fell due.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Its due cannot be computed (a failing limit, a calendar without working time) or firing failed.</summary>
    public const string Failed = "failed";
}

/// <summary>
/// One scheduled escalation (item × group × rule) or reminder, from pending to fired. A fired row is the record
/// that this rule fired for this due: it fires again only for a later due, as a new row.
/// </summary>
public sealed class EscalationRow
{
    public const string EscalationKind = "escalation";
    public const string ReminderKind = "reminder";

    public long Id { get; set; }
    public long ItemId { get; set; }
    public required string Kind { get; set; }

    /// <summary>The group (null for a reminder).</summary>
    public long? GroupId { get; set; }

    /// <summary>The rule's index in its group (its level is Rule + 1); -1 for a reminder.</summary>
    public int Rule { get; set; }
    public required string RuleName { get; set; }

    /// <summary>Unix milliseconds; null when it cannot be computed (status failed).</summary>
    public long? Due { get; set; }
    public required string Status { get; set; }
    public string? Error { get; set; }
    public string? Owner { get; set; }
    public long? LeaseUntil { get; set; }
    public string? FireId { get; set; }
    public long? FiredAt { get; set; }
    public bool Late { get; set; }

    /// <summary>JSON array of what each action did.</summary>
    public string? Outcomes { get; set; }

    /// <summary>A reminder's note and the user who set it.</summary>
    public string? Note { get; set; }
    public string? CreatedBy { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>
/// An outgoing message: a row of the durable outbox, recorded in the transaction of the fire that produced it
/// (one per recipient, or per webhook, per fire). The outbox worker delivers it and records the outcome here;
/// see <see cref="Delivery.MessageState"/> for its states.
/// </summary>
public sealed class MessageRow
{
    public const string EmailChannel = "email";
    public const string WebhookChannel = "webhook";

    public long Id { get; set; }
    public long? ItemId { get; set; }
    public string? ProjectKey { get; set; }
    public long? EscalationId { get; set; }
    public required string FireId { get; set; }
    public required string Kind { get; set; }

    /// <summary><see cref="EmailChannel"/> (to a user, also shown in their in-app list) or <see cref="WebhookChannel"/>.</summary>
    public string Channel { get; set; } = EmailChannel;

    /// <summary>The user's login, or <c>webhook:ID</c>.</summary>
    public required string Recipient { get; set; }
    public string? Email { get; set; }
    public long? WebhookId { get; set; }
    public required string Subject { get; set; }

    /// <summary>Plain text (a webhook's JSON payload for a webhook).</summary>
    public required string Body { get; set; }
    public string? Html { get; set; }

    /// <summary>What fired, one line, for a message that lists several (de-duplicated or digest).</summary>
    public string? Label { get; set; }

    /// <summary>Severity 1 or priority Highest: not held by quiet hours.</summary>
    public bool Urgent { get; set; }
    public required string Status { get; set; }

    /// <summary>Stable across retries: the webhook's delivery id header, the mail's Message-ID.</summary>
    public string DeliveryId { get; set; } = "";
    public int Attempts { get; set; }

    /// <summary>Unix milliseconds on the server's clock before which the worker leaves it (backoff, digest, quiet hours).</summary>
    public long NextAttemptAt { get; set; }

    /// <summary>Why it waits: <c>rate limit</c> or <c>quiet hours</c> (status held).</summary>
    public string? Held { get; set; }
    public string? LastError { get; set; }
    public string? Owner { get; set; }
    public string? Claim { get; set; }
    public long? LeaseUntil { get; set; }
    public long? SentAt { get; set; }

    /// <summary>The delivery id of the mail that carried it (its own, or the one it was merged into).</summary>
    public string? SentAs { get; set; }
    public long? ReadAt { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A running node: its id and when it last checked in.</summary>
public sealed class NodeRow
{
    public required string Id { get; set; }
    public long Heartbeat { get; set; }
    public long StartedAt { get; set; }
}
