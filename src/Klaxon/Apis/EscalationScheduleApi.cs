using System.Text.Json;
using Klaxon.Core;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>One entry of an item's escalation schedule: a fired, pending, cancelled or failed escalation, or a reminder.</summary>
public sealed record ScheduleEntry(
    string Type, string? Group, string Rule, int? Level, string? Due, string Status, string? FiredAt, bool Late, IReadOnlyList<string> Outcomes, string? Error, string? Note);

public sealed record ReminderRequest
{
    /// <summary>When to remind, such as 2026-01-06T09:00:00Z.</summary>
    public string? At { get; init; }
    public string? Note { get; init; }
}

/// <summary>
/// An item's escalation schedule (needs "View Escalation Schedule"): the fired history and the pending escalations
/// in chronological order. It is never edited directly; changes to items and rules show in it at once. Reminders
/// are the exception a user adds: a note mailed to themself at a time they choose.
/// </summary>
public static class EscalationScheduleApi
{
    public static RouteGroupBuilder MapEscalationScheduleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/items/{key}").WithTags("Escalation schedule");
        api.MapGet("/escalations", GetSchedule).WithSummary("The item's escalations and reminders, in chronological order.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/reminders", AddReminder).WithSummary("Sets a reminder for the caller on this item.").ProducesValidationProblem();
        return api;
    }

    public static async Task<Ok<List<ScheduleEntry>>> GetSchedule(string key, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        var item = await FindItemAsync(db, key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.ViewEscalationSchedule, cancellationToken);
        var rows = await db.Escalations.AsNoTracking().Where(e => e.ItemId == item.Id).ToListAsync(cancellationToken);
        var groupNames = await db.EscalationGroups.AsNoTracking().Where(g => g.ProjectKey == item.ProjectKey).ToDictionaryAsync(g => g.Id, g => g.Name, cancellationToken);
        return TypedResults.Ok(rows
            .OrderBy(r => r.FiredAt ?? r.Due ?? r.CreatedAt).ThenBy(r => r.Rule).ThenBy(r => r.Id)
            .Select(r => Entry(r, r.GroupId is { } g ? groupNames.GetValueOrDefault(g, $"(deleted group {g})") : null))
            .ToList());
    }

    public static async Task<Created<ScheduleEntry>> AddReminder(
        string key, ReminderRequest reminder, KlaxonDbContext db, Access access, IClock clock, DispatchSignal signal, CancellationToken cancellationToken)
    {
        var item = await FindItemAsync(db, key, cancellationToken);
        await access.RequireAsync(item.ProjectKey, Permissions.ViewItems, cancellationToken);
        var errors = new List<Diagnostic>();
        var at = IsoText.ParseInstant(reminder.At, "at").OrCollect(errors);
        if (reminder.Note is { Length: > 2000 }) errors.Add(new("note", "is longer than 2,000 characters."));
        ProblemException.ThrowIfAny(errors);
        var row = new EscalationRow
        {
            ItemId = item.Id,
            Kind = EscalationRow.ReminderKind,
            Rule = -1,
            RuleName = "Reminder",
            Due = at.ToUnixTimeMilliseconds(),
            Status = EscalationState.Pending,
            Note = reminder.Note?.Trim() ?? "",
            CreatedBy = access.Login,
            CreatedAt = clock.GetCurrentInstant().ToUnixTimeMilliseconds(),
        };
        db.Escalations.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await signal.WakeAllAsync(db, cancellationToken);
        return TypedResults.Created($"/api/v1/items/{key}/escalations", Entry(row, null));
    }

    private static async Task<ItemRow> FindItemAsync(KlaxonDbContext db, string key, CancellationToken cancellationToken) =>
        await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Key == key, cancellationToken)
        ?? throw ProblemException.NotFound($"There is no item '{key}'.");

    private static ScheduleEntry Entry(EscalationRow row, string? group) => new(
        row.Kind,
        group,
        row.RuleName,
        row.Kind == EscalationRow.ReminderKind ? null : row.Rule + 1,
        row.Due is { } due ? IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(due)) : null,
        row.Status == EscalationState.Claimed ? EscalationState.Pending : row.Status,
        row.FiredAt is { } fired ? IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(fired)) : null,
        row.Late,
        row.Outcomes is { } outcomes ? JsonSerializer.Deserialize<List<string>>(outcomes) ?? [] : [],
        row.Error,
        row.Kind == EscalationRow.ReminderKind ? row.Note : null);
}
