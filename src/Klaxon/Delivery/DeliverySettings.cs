using NodaTime;

namespace Klaxon.Delivery;

/// <summary>The SMTP server the outbox mails through (<c>klaxon serve --smtp HOST:PORT --mail-from ADDRESS</c>).</summary>
public sealed record SmtpSettings
{
    public required string Host { get; init; }
    public required int Port { get; init; }

    /// <summary>The sender address of every mail.</summary>
    public required string From { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>Upgrades the connection with STARTTLS before sending.</summary>
    public bool StartTls { get; init; }
}

/// <summary>
/// How failed deliveries are retried: the n-th retry waits <see cref="First"/> × 2^(n-1), at most <see cref="Max"/>,
/// scaled by a random factor in [0.5, 1) so that many failures do not retry in lockstep; after
/// <see cref="MaxAttempts"/> attempts the message is dead. Delays are measured on the server's clock.
/// </summary>
public sealed record RetryPolicy
{
    public Duration First { get; init; } = Duration.FromSeconds(30);
    public Duration Max { get; init; } = Duration.FromHours(1);
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt (1 = the first), for a uniform <paramref name="random"/> in [0, 1).</summary>
    public Duration Delay(int attempts, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 40);
        var ceiling = Math.Min(First.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        return Duration.FromMilliseconds(Math.Max(1, Math.Round(ceiling * (0.5 + 0.5 * Math.Clamp(random, 0, 1)))));
    }
}

/// <summary>At most <see cref="Messages"/> mails to one recipient within <see cref="Minutes"/>; the rest go out as one digest at the end of that window.</summary>
public sealed record RateLimit(int Messages, int Minutes)
{
    public static RateLimit Default { get; } = new(10, 10);
}

/// <summary>How the outbox delivers: mail (off without <see cref="Smtp"/>), links, retries, rate limits, parallelism.</summary>
public sealed record DeliverySettings
{
    /// <summary>Null: no mail is sent; messages stay in the users' in-app lists (status skipped).</summary>
    public SmtpSettings? Smtp { get; init; }

    /// <summary>The address users open Klaxon at, such as https://klaxon.example.com, for the item links in mails.</summary>
    public string? PublicUrl { get; init; }

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>For projects that set none.</summary>
    public RateLimit RateLimit { get; init; } = RateLimit.Default;

    /// <summary>How many mails and webhook requests are in flight at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>The link to an item's page.</summary>
    public string ItemLink(string key) => $"{PublicUrl?.TrimEnd('/')}/items/{key}";
}
