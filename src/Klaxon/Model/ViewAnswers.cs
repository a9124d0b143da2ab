using Klaxon.Infrastructure;

namespace Klaxon.Model;

/// <summary>A saved view as a client writes it (POST creates, PUT replaces).</summary>
public sealed record ViewRequest
{
    public string? Name { get; init; }

    /// <summary>The key of one of the project's trackers, such as INC.</summary>
    public string? Tracker { get; init; }

    /// <summary>A condition in the expression language, such as <c>status in ("New", null) and priority &lt;= 2</c>; empty selects every item.</summary>
    public string? Filter { get; init; }

    /// <summary>Public views are seen by every member and may select an escalation group's items; writing one needs <c>project.admin</c>.</summary>
    public bool? Public { get; init; }
}

/// <summary>A saved view: a named filter over one tracker's items, private to its owner or public in the project.</summary>
public sealed record ViewAnswer(long Id, string Project, string Name, string Tracker, string Filter, bool Public, string Owner, int Version)
{
    public static ViewAnswer From(ViewRow row) => new(row.Id, row.ProjectKey, row.Name, row.TrackerKey, row.Filter, row.IsPublic, row.Owner, row.Version);
}

/// <summary>One page of an item listing: the items in order, and how many match in all.</summary>
public sealed record ItemPageAnswer(IReadOnlyList<ItemAnswer> Items, int Total, int Page, int PageSize);

/// <summary>An expression to check against a tracker's fields, as the UI sends it while someone types.</summary>
public sealed record ExpressionCheckRequest
{
    public string? Expression { get; init; }

    /// <summary>The tracker whose fields the expression may name, such as INC.</summary>
    public string? Tracker { get; init; }

    /// <summary>What the expression must be: <c>condition</c> (a filter), <c>number</c> (a rule limit), <c>text</c>, <c>datetime</c> or <c>duration</c>; anything when left out.</summary>
    public string? Expect { get; init; }
}

/// <summary>Where an expression goes wrong: 1-based line and column, 0-based offset, and what was expected there.</summary>
public sealed record ExpressionErrorAnswer(int Line, int Column, int Offset, string Message);

/// <summary>
/// The verdict on an expression: valid with its type (<c>condition</c>, <c>number</c>, <c>text</c>, <c>datetime</c>,
/// <c>duration</c>, <c>users</c> or <c>null</c>), or not valid with the errors.
/// </summary>
public sealed record ExpressionCheckAnswer(bool Valid, string? Type, IReadOnlyList<ExpressionErrorAnswer>? Errors);
