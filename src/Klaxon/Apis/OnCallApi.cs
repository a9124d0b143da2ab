using Klaxon.Core;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>One shift of the on-call roster: <c>login</c> is on call from <c>from</c> (inclusive) until <c>until</c> (exclusive).</summary>
public sealed record OnCallShift
{
    public string? Login { get; init; }
    public string? From { get; init; }
    public string? Until { get; init; }
    public string? Note { get; init; }
}

/// <summary>A project's on-call roster, in shift order.</summary>
public sealed record OnCallRoster
{
    public List<OnCallShift>? Shifts { get; init; }
}

/// <summary>The roster as stored, and who it names at the server's current instant.</summary>
public sealed record OnCallAnswer(IReadOnlyList<OnCallShift> Shifts, IReadOnlyList<string> OnCallNow);

/// <summary>
/// The on-call roster of a project (who is on call when), which escalation rules reach with <c>"notify":{"onCall":true}</c>
/// at the moment they fire. Reading needs <c>items.view</c>; replacing it needs <c>project.admin</c>. Each shift names a
/// member of the project (directly or through a group); shifts may overlap (everyone on call is notified).
/// </summary>
public static class OnCallApi
{
    public static RouteGroupBuilder MapOnCallApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/projects/{key}/on-call").WithTags("On-call roster");
        api.MapGet("", GetRoster).WithSummary("The project's on-call roster and who is on call now.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("", PutRoster).WithSummary("Replaces the project's on-call roster (project administrators).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<OnCallAnswer>> GetRoster(string key, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        return TypedResults.Ok(await AnswerAsync(db, key, clock.GetCurrentInstant(), cancellationToken));
    }

    public static async Task<Ok<OnCallAnswer>> PutRoster(string key, OnCallRoster roster, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        await ReplaceAsync(db, key, roster, cancellationToken);
        return TypedResults.Ok(await AnswerAsync(db, key, clock.GetCurrentInstant(), cancellationToken));
    }

    /// <summary>Checks the roster in full (400 naming each wrong shift, nothing stored) and replaces the stored one.</summary>
    public static async Task ReplaceAsync(KlaxonDbContext db, string key, OnCallRoster roster, CancellationToken cancellationToken)
    {
        var errors = new List<Diagnostic>();
        var shifts = roster.Shifts ?? [];
        var logins = shifts.Select(s => s.Login ?? "").Distinct().ToList();
        var members = await ItemChanges.MembersAmongAsync(db, key, logins, cancellationToken);
        var users = await db.Users.AsNoTracking().Where(u => logins.Contains(u.Login)).Select(u => u.Login).ToListAsync(cancellationToken);
        var rows = new List<OnCallShiftRow>();
        for (var i = 0; i < shifts.Count; i++)
        {
            var shift = shifts[i];
            var path = $"shifts[{i}]";
            if (string.IsNullOrWhiteSpace(shift.Login)) errors.Add(new($"{path}.login", "is required."));
            else if (!users.Contains(shift.Login)) errors.Add(new($"{path}.login", $"'{shift.Login}' is not a user."));
            else if (!members.Contains(shift.Login)) errors.Add(new($"{path}.login", $"'{shift.Login}' is not a member of project {key}; only members may be on call."));
            var from = IsoText.ParseInstant(shift.From, $"{path}.from").OrCollect(errors);
            var until = IsoText.ParseInstant(shift.Until, $"{path}.until").OrCollect(errors);
            if (shift.From is not null && shift.Until is not null && from >= until)
                errors.Add(new($"{path}.until", $"{shift.Until} is not after {shift.From}: a shift must end after it starts."));
            rows.Add(new OnCallShiftRow
            {
                ProjectKey = key, Login = shift.Login ?? "", StartsAt = from.ToUnixTimeMilliseconds(), EndsAt = until.ToUnixTimeMilliseconds(), Note = shift.Note,
            });
        }
        ProblemException.ThrowIfAny(errors);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.OnCallShifts.Where(s => s.ProjectKey == key).ExecuteDeleteAsync(cancellationToken);
        db.OnCallShifts.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    public static async Task<OnCallAnswer> AnswerAsync(KlaxonDbContext db, string key, Instant now, CancellationToken cancellationToken)
    {
        var rows = await db.OnCallShifts.AsNoTracking().Where(s => s.ProjectKey == key).OrderBy(s => s.StartsAt).ThenBy(s => s.Id).ToListAsync(cancellationToken);
        var shifts = rows.Select(r => new OnCallShift
        {
            Login = r.Login,
            From = IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(r.StartsAt)),
            Until = IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(r.EndsAt)),
            Note = r.Note,
        }).ToList();
        return new OnCallAnswer(shifts, await Notifications.OnCallAsync(db, key, now, cancellationToken));
    }
}
