using Klaxon.Core;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>What the server's clock says, and whether it is the manual test clock.</summary>
public sealed record ClockAnswer(string Now, bool Manual);

/// <summary>Moves the manual clock: to an instant, or by a non-negative ISO-8601 duration.</summary>
public sealed record AdvanceClockRequest
{
    /// <summary>The instant to move to, such as 2026-01-05T10:00:00Z.</summary>
    public string? To { get; init; }

    /// <summary>How far to move, such as PT2H.</summary>
    public string? By { get; init; }
}

/// <summary>
/// The server's clock. With the manual clock (<c>klaxon serve --clock manual --now …</c>) it can be moved by
/// <c>POST /clock/advance</c>; with the real clock that endpoint does not exist.
/// </summary>
public static class ClockApi
{
    public static RouteGroupBuilder MapClockApi(this IEndpointRouteBuilder app, bool manual)
    {
        var api = app.MapGroup("/clock").WithTags("Clock");
        api.MapGet("", GetClock).WithSummary("The server's current instant.");
        if (manual)
        {
            api.MapPost("/advance", AdvanceClock)
                .WithSummary("Moves the manual clock forward, to an instant ('to') or by a duration ('by'), and returns the new instant.")
                .ProducesValidationProblem();
        }
        return api;
    }

    public static Ok<ClockAnswer> GetClock(IClock clock) => TypedResults.Ok(Answer(clock));

    /// <summary>Moves the clock, firing every escalation due on the way in due order before answering.</summary>
    public static async Task<Ok<ClockAnswer>> AdvanceClock(AdvanceClockRequest request, IClock clock, Escalations.Dispatcher dispatcher, CancellationToken cancellationToken)
    {
        var manual = (ManualClock)clock;
        var now = manual.GetCurrentInstant();
        var errors = new List<Diagnostic>();
        Instant to;
        if (request.To is null == request.By is null)
            throw ProblemException.Invalid("to", "give exactly one of 'to' (an instant) and 'by' (a duration such as PT2H).");
        if (request.To is not null)
        {
            to = IsoText.ParseInstant(request.To, "to").OrCollect(errors);
            ProblemException.ThrowIfAny(errors);
            if (to < now)
                throw ProblemException.Invalid("to", $"{IsoText.FormatInstant(to)} is before the clock's time {IsoText.FormatInstant(now)}; the clock never goes back.");
        }
        else
        {
            var by = IsoText.ParseDuration(request.By, "by").OrCollect(errors);
            ProblemException.ThrowIfAny(errors);
            if (by < Duration.Zero)
                throw ProblemException.Invalid("by", $"'{request.By}' is negative; the clock never goes back.");
            to = now + by;
        }
        await dispatcher.AdvanceAsync(manual, to, cancellationToken);
        return TypedResults.Ok(Answer(clock));
    }

    private static ClockAnswer Answer(IClock clock) => new(IsoText.FormatInstant(clock.GetCurrentInstant()), clock is ManualClock);
}
