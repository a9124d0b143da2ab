namespace Klaxon.Infrastructure;

// The stored vocabulary of users, projects, trackers and items. Instants are Unix milliseconds; lists and
// custom field values are JSON text, so SQLite and PostgreSQL hold them alike (see ItemFilterSql).

/// <summary>A person who signs in or calls the API. Administrators may do everything everywhere.</summary>
public sealed class UserRow
{
    public required string Login { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public string? PasswordHash { get; set; }
    public bool IsAdmin { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>Non-urgent messages wait for the user's next working time on <see cref="CalendarId"/> (the system calendar when null).</summary>
    public bool QuietHours { get; set; }
    public string? CalendarId { get; set; }
}

/// <summary>An API token of a user; only its SHA-256 hash is kept.</summary>
public sealed class TokenRow
{
    public long Id { get; set; }
    public required string Login { get; set; }
    public required string Hash { get; set; }
    public required string Name { get; set; }
    public long CreatedAt { get; set; }
}

public sealed class GroupRow
{
    public required string Name { get; set; }
    public long CreatedAt { get; set; }
}

public sealed class GroupMemberRow
{
    public required string GroupName { get; set; }
    public required string Login { get; set; }
}

public sealed class ProjectRow
{
    public required string Key { get; set; }
    public required string Name { get; set; }
    public required string CalendarId { get; set; }
    public long CreatedAt { get; set; }
    public int Version { get; set; }

    /// <summary>The rate limit of its messages per recipient (null: the server's defaults).</summary>
    public int? RateLimitMessages { get; set; }
    public int? RateLimitMinutes { get; set; }

    /// <summary>Whether a workflow transition run by a person messages the item's people (<see cref="Delivery.ChangeMessages"/>).</summary>
    public bool ChangeMessagesTransitions { get; set; } = true;

    /// <summary>Whether people assigned to an item by a person are told (<see cref="Delivery.ChangeMessages"/>).</summary>
    public bool ChangeMessagesAssignments { get; set; } = true;
}

/// <summary>A role of a project and its permissions (JSON array of names from Core's <c>Permissions</c>).</summary>
public sealed class RoleRow
{
    public required string ProjectKey { get; set; }
    public required string Name { get; set; }
    public required string Permissions { get; set; }
}

/// <summary>A member of a project: a user (<c>Kind = "user"</c>) or a group (<c>"group"</c>), in roles (JSON array).</summary>
public sealed class MemberRow
{
    public const string UserKind = "user";
    public const string GroupKind = "group";

    public required string ProjectKey { get; set; }
    public required string Kind { get; set; }
    public required string Principal { get; set; }
    public required string Roles { get; set; }
}

/// <summary>A tracker: its <c>TrackerDocument</c> as JSON and the number its next item gets.</summary>
public sealed class TrackerRow
{
    public required string Key { get; set; }
    public required string ProjectKey { get; set; }
    public required string Name { get; set; }
    public required string Definition { get; set; }
    public int NextNumber { get; set; } = 1;
    public int Version { get; set; }
}

/// <summary>An item (incident, bug, task). Built-in fields are columns; custom fields are one JSON object.</summary>
public sealed class ItemRow
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string ProjectKey { get; set; }
    public required string TrackerKey { get; set; }
    public int Number { get; set; }
    public required string Summary { get; set; }
    public string? Description { get; set; }
    public required string Status { get; set; }
    public int? Priority { get; set; }
    public int? Severity { get; set; }
    public required string Submitter { get; set; }
    public long SubmittedAt { get; set; }

    /// <summary>JSON array of logins, <c>[]</c> when empty (never null).</summary>
    public string AssignedTo { get; set; } = "[]";

    /// <summary>JSON array of logins, <c>[]</c> when empty (never null).</summary>
    public string Supervisors { get; set; } = "[]";
    public long? StartDate { get; set; }
    public long? EndDate { get; set; }
    public double? EstimatedHours { get; set; }
    public string? Resolution { get; set; }

    /// <summary>JSON object of custom field values: text, numbers, booleans; date-times as Unix milliseconds.</summary>
    public string Fields { get; set; } = "{}";
    public int Version { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>One change of one field of an item: who, when, old and new value (as text).</summary>
public sealed class HistoryRow
{
    public long Id { get; set; }
    public long ItemId { get; set; }

    public long At { get; set; }
    public required string Actor { get; set; }
    public required string Field { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }

    /// <summary>The workflow transition that made this change of <c>status</c>; null for other changes.</summary>
    public string? Transition { get; set; }
}

/// <summary>A typed link from one item to another, e.g. an incident's <c>bug-report</c>.</summary>
public sealed class LinkRow
{
    public long Id { get; set; }
    public long ItemId { get; set; }
    public required string Type { get; set; }
    public long TargetItemId { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A saved filter over one tracker's items; a public one can select an escalation group's items.</summary>
public sealed class ViewRow
{
    public long Id { get; set; }
    public required string ProjectKey { get; set; }
    public required string Name { get; set; }
    public required string TrackerKey { get; set; }
    public required string Filter { get; set; }
    public bool IsPublic { get; set; }
    public required string Owner { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// One shift of a project's on-call roster: <see cref="Login"/> is on call in <c>[StartsAt, EndsAt)</c> (Unix
/// milliseconds). Rules that notify "on call" reach whoever is on call when they fire.
/// </summary>
public sealed class OnCallShiftRow
{
    public long Id { get; set; }
    public required string ProjectKey { get; set; }
    public required string Login { get; set; }
    public long StartsAt { get; set; }
    public long EndsAt { get; set; }
    public string? Note { get; set; }
}
