using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Delivery;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Klaxon.Apis;

/// <summary>An outbox message as operators see it: where it goes, its state, attempts and last error.</summary>
public sealed record NotificationAnswer(
    long Id, string Channel, string Kind, string? Item, string? Project, string Recipient, string? Email, long? Webhook, string Subject, string Status,
    string? Held, int Attempts, string? NextAttemptAt, string? LastError, string? SentAt, string DeliveryId, string? SentAs, string CreatedAt);

/// <summary>A message in a user's in-app list.</summary>
public sealed record InboxEntry(long Id, string Kind, string? Item, string Subject, string Body, string Status, string CreatedAt, bool Read, string? ReadAt);

/// <summary>A user's notification settings.</summary>
public sealed record UserNotificationSettings
{
    /// <summary>When true, messages that are not urgent (severity 1 or priority Highest) wait for the user's next working time.</summary>
    public bool? QuietHours { get; init; }

    /// <summary>The calendar whose working time is the user's; null: the system calendar.</summary>
    public string? Calendar { get; init; }
}

/// <summary>A project's rate limit: at most <see cref="Messages"/> mails per recipient within <see cref="Minutes"/>.</summary>
public sealed record RateLimitSettings
{
    public int? Messages { get; init; }
    public int? Minutes { get; init; }
}

/// <summary>Which changes made by people send messages (docs/notifications.md); both are on unless a project turns them off.</summary>
public sealed record ChangeMessageSettings
{
    /// <summary>A workflow transition run by a person tells the item's submitter, assignees and supervisors.</summary>
    public bool? Transitions { get; init; }

    /// <summary>People assigned to an item by a person are told.</summary>
    public bool? Assignments { get; init; }
}

public sealed record ProjectNotificationSettings
{
    /// <summary>Null (or left out) resets to the server's defaults.</summary>
    public RateLimitSettings? RateLimit { get; init; }

    /// <summary>Null (or left out) resets to both on.</summary>
    public ChangeMessageSettings? ChangeMessages { get; init; }
}

/// <summary>
/// The outbox (list, retry of dead messages), each user's in-app notifications (list, mark read), and the settings
/// delivery follows: a user's quiet hours and calendar, a project's rate limit and which changes made by people send messages.
/// </summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/notifications").WithTags("Notifications");
        api.MapGet("", ListNotifications)
            .WithSummary("Outbox messages, newest first: of an item or project (needs View Escalation Schedule there), or all (administrators); optionally by status.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:long}/retry", Retry).WithSummary("Sends a dead message again (needs Project Admin rights in its project); 409 unless it is dead.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var me = app.MapGroup("/me").WithTags("Notifications");
        me.MapGet("/notifications", ListMine).WithSummary("The caller's notifications, newest first; ?unread=true for the unread ones only.");
        me.MapPost("/notifications/{id:long}/read", MarkRead).WithSummary("Marks one of the caller's notifications read.").ProducesProblem(StatusCodes.Status404NotFound);
        me.MapPost("/notifications/read", MarkAllRead).WithSummary("Marks all of the caller's notifications read.");

        app.MapGet("/users/{login}/notification-settings", GetUserSettings).WithTags("Notifications")
            .WithSummary("A user's quiet hours and calendar.").ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPut("/users/{login}/notification-settings", PutUserSettings).WithTags("Notifications")
            .WithSummary("Sets a user's quiet hours and calendar (administrators, or the user themself).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/projects/{key}/notification-settings", GetProjectSettings).WithTags("Notifications")
            .WithSummary("A project's rate limit per recipient, and which changes made by people send messages.").ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPut("/projects/{key}/notification-settings", PutProjectSettings).WithTags("Notifications")
            .WithSummary("Sets a project's rate limit per recipient and which changes made by people send messages (Project Admin rights).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<List<NotificationAnswer>>> ListNotifications(
        string? item, string? project, string? status, int? limit, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        if (status is not null && !MessageState.All.Contains(status))
            throw ProblemException.Invalid("status", $"'{status}' is not a message status; use one of {string.Join(", ", MessageState.All)}.");
        if (limit is < 1 or > 10_000) throw ProblemException.Invalid("limit", "must be between 1 and 10,000.");
        var query = db.Messages.AsNoTracking();
        if (item is not null)
        {
            var found = await db.Items.AsNoTracking().Where(i => i.Key == item).Select(i => new { i.Id, i.ProjectKey }).SingleOrDefaultAsync(cancellationToken)
                ?? throw ProblemException.NotFound($"There is no item '{item}'.");
            await access.RequireAsync(found.ProjectKey, Permissions.ViewEscalationSchedule, cancellationToken);
            query = query.Where(m => m.ItemId == found.Id);
        }
        else if (project is not null)
        {
            await access.RequireAsync(project, Permissions.ViewEscalationSchedule, cancellationToken);
            query = query.Where(m => m.ProjectKey == project);
        }
        else await access.RequireAdminAsync("list every project's notifications", cancellationToken);
        if (status is not null) query = query.Where(m => m.Status == status);
        var rows = await query.OrderByDescending(m => m.Id).Take(limit ?? 1000).ToListAsync(cancellationToken);
        var keys = await ItemKeysAsync(db, rows, cancellationToken);
        return TypedResults.Ok(rows.Select(r => Answer(r, keys)).ToList());
    }

    public static async Task<Ok<NotificationAnswer>> Retry(long id, KlaxonDbContext db, Access access, IClock clock, OutboxSignal signal, CancellationToken cancellationToken)
    {
        var row = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken)
            ?? throw ProblemException.NotFound($"There is no notification {id}.");
        if (row.ProjectKey is { } project) await access.RequireAsync(project, Permissions.Administer, cancellationToken);
        else await access.RequireAdminAsync("retry this notification", cancellationToken);
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        var retried = await db.Messages.Where(m => m.Id == id && m.Status == MessageState.Dead).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, MessageState.Pending)
            .SetProperty(m => m.Attempts, 0)
            .SetProperty(m => m.NextAttemptAt, nowMs)
            .SetProperty(m => m.Held, (string?)null), cancellationToken);
        if (retried == 0) throw ProblemException.Conflict($"Notification {id} is {row.Status}; only dead notifications can be retried.");
        row = await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken);
        var answer = Answer(row, await ItemKeysAsync(db, [row], cancellationToken));
        signal.Wake();
        return TypedResults.Ok(answer);
    }

    public static async Task<Ok<List<InboxEntry>>> ListMine(bool? unread, int? limit, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 10_000) throw ProblemException.Invalid("limit", "must be between 1 and 10,000.");
        var login = access.Login;
        var query = db.Messages.AsNoTracking().Where(m => m.Recipient == login && m.Channel == MessageRow.EmailChannel);
        if (unread == true) query = query.Where(m => m.ReadAt == null);
        var rows = await query.OrderByDescending(m => m.Id).Take(limit ?? 200).ToListAsync(cancellationToken);
        var keys = await ItemKeysAsync(db, rows, cancellationToken);
        return TypedResults.Ok(rows.Select(r => new InboxEntry(
            r.Id, r.Kind, r.ItemId is { } i ? keys.GetValueOrDefault(i) : null, r.Subject, r.Body, r.Status, Format(r.CreatedAt)!, r.ReadAt is not null, Format(r.ReadAt))).ToList());
    }

    public static async Task<NoContent> MarkRead(long id, KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var login = access.Login;
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        var mine = db.Messages.Where(m => m.Id == id && m.Recipient == login && m.Channel == MessageRow.EmailChannel);
        if (!await mine.AnyAsync(cancellationToken)) throw ProblemException.NotFound($"There is no notification {id} for '{login}'.");
        await mine.Where(m => m.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, nowMs), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> MarkAllRead(KlaxonDbContext db, Access access, IClock clock, CancellationToken cancellationToken)
    {
        var login = access.Login;
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        await db.Messages.Where(m => m.Recipient == login && m.Channel == MessageRow.EmailChannel && m.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, nowMs), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<UserNotificationSettings>> GetUserSettings(string login, KlaxonDbContext db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Login == login, cancellationToken)
            ?? throw ProblemException.NotFound($"There is no user '{login}'.");
        return TypedResults.Ok(new UserNotificationSettings { QuietHours = user.QuietHours, Calendar = user.CalendarId });
    }

    public static async Task<Ok<UserNotificationSettings>> PutUserSettings(
        string login, UserNotificationSettings request, KlaxonDbContext db, Access access, CalendarCatalog catalog, CancellationToken cancellationToken)
    {
        if (login != access.Login) await access.RequireAdminAsync("change another user's notification settings", cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Login == login, cancellationToken)
            ?? throw ProblemException.NotFound($"There is no user '{login}'.");
        if (request.Calendar is { } calendar && catalog.Find(calendar) is null)
            throw ProblemException.Invalid("calendar", $"there is no calendar '{calendar}'.");
        user.QuietHours = request.QuietHours ?? false;
        user.CalendarId = request.Calendar;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new UserNotificationSettings { QuietHours = user.QuietHours, Calendar = user.CalendarId });
    }

    public static async Task<Ok<ProjectNotificationSettings>> GetProjectSettings(
        string key, KlaxonDbContext db, Access access, DeliverySettings settings, CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.ViewItems, cancellationToken);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Key == key, cancellationToken);
        return TypedResults.Ok(ProjectAnswer(project, settings));
    }

    public static async Task<Ok<ProjectNotificationSettings>> PutProjectSettings(
        string key, ProjectNotificationSettings request, KlaxonDbContext db, Access access, DeliverySettings settings,
        CancellationToken cancellationToken)
    {
        await access.RequireAsync(key, Permissions.Administer, cancellationToken);
        var errors = new List<Core.Diagnostic>();
        if (request.RateLimit is { } limit)
        {
            if (limit.Messages is not { } messages || messages < 1 || messages > 10_000) errors.Add(new("rateLimit.messages", "must be a whole number from 1 to 10,000."));
            if (limit.Minutes is not { } minutes || minutes < 1 || minutes > 10_080) errors.Add(new("rateLimit.minutes", "must be a whole number of minutes from 1 to 10,080 (a week)."));
        }
        if (request.ChangeMessages is { } changeMessages)
        {
            if (changeMessages.Transitions is null) errors.Add(new("changeMessages.transitions", "is required: true or false, whether a transition run by a person tells the item's people."));
            if (changeMessages.Assignments is null) errors.Add(new("changeMessages.assignments", "is required: true or false, whether people assigned by a person are told."));
        }
        ProblemException.ThrowIfAny(errors);
        var project = await db.Projects.SingleAsync(p => p.Key == key, cancellationToken);
        project.RateLimitMessages = request.RateLimit?.Messages;
        project.RateLimitMinutes = request.RateLimit?.Minutes;
        project.ChangeMessagesTransitions = request.ChangeMessages?.Transitions ?? ChangeMessageSwitch.Default.Transitions;
        project.ChangeMessagesAssignments = request.ChangeMessages?.Assignments ?? ChangeMessageSwitch.Default.Assignments;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ProjectAnswer(project, settings));
    }

    private static ProjectNotificationSettings ProjectAnswer(ProjectRow project, DeliverySettings settings) => new()
    {
        RateLimit = new RateLimitSettings
        {
            Messages = project.RateLimitMessages ?? settings.RateLimit.Messages,
            Minutes = project.RateLimitMinutes ?? settings.RateLimit.Minutes,
        },
        ChangeMessages = new ChangeMessageSettings { Transitions = project.ChangeMessagesTransitions, Assignments = project.ChangeMessagesAssignments },
    };

    private static async Task<Dictionary<long, string>> ItemKeysAsync(KlaxonDbContext db, IReadOnlyList<MessageRow> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.ItemId).OfType<long>().Distinct().ToList();
        return await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Key, cancellationToken);
    }

    private static string? Format(long? ms) => ms is { } v ? IsoText.FormatInstant(Instant.FromUnixTimeMilliseconds(v)) : null;

    private static NotificationAnswer Answer(MessageRow r, IReadOnlyDictionary<long, string> keys) => new(
        r.Id, r.Channel, r.Kind, r.ItemId is { } i ? keys.GetValueOrDefault(i) : null, r.ProjectKey, r.Recipient, r.Email, r.WebhookId, r.Subject, r.Status,
        r.Held, r.Attempts, r.Status is MessageState.Pending or MessageState.Held ? Format(r.NextAttemptAt) : null, r.LastError, Format(r.SentAt),
        r.DeliveryId, r.SentAs, Format(r.CreatedAt)!);
}
