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

/// <summary>An outgoing message, recorded in the transaction of the fire that produced it; delivery reads it from here.</summary>
public sealed class MessageRow
{
    public long Id { get; set; }
    public long? ItemId { get; set; }
    public long? EscalationId { get; set; }
    public required string FireId { get; set; }
    public required string Kind { get; set; }
    public required string Recipient { get; set; }
    public string? Email { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public required string Status { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A running node: its id and when it last checked in.</summary>
public sealed class NodeRow
{
    public required string Id { get; set; }
    public long Heartbeat { get; set; }
    public long StartedAt { get; set; }
}
