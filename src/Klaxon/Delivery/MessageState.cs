namespace Klaxon.Delivery;

/// <summary>The stored states of an outbox message.</summary>
public static class MessageState
{
    /// <summary>Recorded and waiting for the worker (after a failure: for its next attempt).</summary>
    public const string Pending = "pending";

    /// <summary>A worker claimed it (owner, claim, lease) and is sending it; an expired lease makes it claimable again.</summary>
    public const string Sending = "sending";

    /// <summary>Waiting for the end of a rate-limit window (then sent in a digest) or for the recipient's working time.</summary>
    public const string Held = "held";

    public const string Sent = "sent";

    /// <summary>Failed permanently, or on every attempt; the last error says why. It can be retried through the API.</summary>
    public const string Dead = "dead";

    /// <summary>Not sendable (mail not configured, no e-mail address, webhook removed): only in the in-app list.</summary>
    public const string Skipped = "skipped";

    public static IReadOnlyList<string> All { get; } = [Pending, Sending, Held, Sent, Dead, Skipped];

    public const string RateLimited = "rate limit";
    public const string QuietHours = "quiet hours";
}
