using System.Data.Common;
using System.Text;
using Klaxon.Core;
using Klaxon.Core.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>One sort key of an item listing: a built-in field, ascending unless <see cref="Descending"/>.</summary>
public sealed record ItemSortKey(string Field, bool Descending);

/// <summary>
/// Selects items in the database: the items of a project (and of one tracker) matching a filter, translated to
/// SQL by <see cref="ItemFilterSql"/> and run with EF Core's <c>FromSqlRaw</c>, so sorting and paging compose
/// onto it and nothing is filtered in memory.
/// </summary>
public static class ItemQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>The built-in fields a listing may be sorted by.</summary>
    public static IReadOnlyList<string> SortFields { get; } =
        ["key", "summary", "status", "priority", "severity", "submitter", "submittedAt", "startDate", "endDate", "estimatedHours", "resolution", "updatedAt"];

    public static SqlDialect DialectOf(KlaxonDbContext db) => db.Database.IsNpgsql() ? SqlDialect.PostgreSql : SqlDialect.Sqlite;

    /// <summary>
    /// The moment <c>now()</c> means in a filter: the clock's instant truncated to the millisecond, the precision
    /// of stored instants, so the database and the evaluator see the same value.
    /// </summary>
    public static Instant Now(IClock clock) => Instant.FromUnixTimeMilliseconds(clock.GetCurrentInstant().ToUnixTimeMilliseconds());

    /// <summary>
    /// The items of <paramref name="projectKey"/> (of <paramref name="trackerKey"/> when given) that satisfy
    /// <paramref name="filter"/> (every item when it is null), not tracked, not yet ordered.
    /// </summary>
    public static IQueryable<ItemRow> Matching(KlaxonDbContext db, string projectKey, string? trackerKey, CompiledExpression? filter, Instant now)
    {
        var dialect = DialectOf(db);
        var sql = new StringBuilder("SELECT * FROM \"items\" WHERE \"project_key\" = @project");
        var parameters = new List<DbParameter> { Parameter(dialect, "@project", projectKey) };
        if (trackerKey is not null)
        {
            sql.Append(" AND \"tracker_key\" = @tracker");
            parameters.Add(Parameter(dialect, "@tracker", trackerKey));
        }
        if (filter is not null)
        {
            var condition = ItemFilterSql.Translate(filter, dialect, now);
            sql.Append(" AND ").Append(condition.Sql);
            parameters.AddRange(condition.Parameters.Select(p => Parameter(dialect, p.Key, p.Value)));
        }
        return db.Items.FromSqlRaw(sql.ToString(), [.. parameters]).AsNoTracking();
    }

    private static DbParameter Parameter(SqlDialect dialect, string name, object value) => dialect == SqlDialect.PostgreSql
        ? new NpgsqlParameter(name, value)
        : new SqliteParameter(name, value);

    /// <summary>
    /// Reads <c>sort=priority,-submittedAt</c>: built-in fields, <c>-</c> for descending. Empty values sort last
    /// in either direction; the item id breaks ties, so pages never overlap.
    /// </summary>
    public static ParseResult<IReadOnlyList<ItemSortKey>> ParseSort(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return ParseResult<IReadOnlyList<ItemSortKey>>.Ok([]);
        var keys = new List<ItemSortKey>();
        var errors = new List<Diagnostic>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var descending = part.StartsWith('-');
            var field = descending || part.StartsWith('+') ? part[1..].Trim() : part;
            if (!SortFields.Contains(field))
                errors.Add(new("sort", $"'{part}' is not a sort key; use one of {string.Join(", ", SortFields)}, with '-' before it for descending order (such as sort=priority,-submittedAt)."));
            else if (keys.Any(k => k.Field == field))
                errors.Add(new("sort", $"'{field}' appears twice."));
            else
                keys.Add(new ItemSortKey(field, descending));
        }
        return errors.Count > 0 ? ParseResult<IReadOnlyList<ItemSortKey>>.Fail(errors) : ParseResult<IReadOnlyList<ItemSortKey>>.Ok(keys);
    }

    /// <summary>Orders items by <paramref name="keys"/>, then by id.</summary>
    public static IOrderedQueryable<ItemRow> Sort(IQueryable<ItemRow> items, IReadOnlyList<ItemSortKey> keys)
    {
        IOrderedQueryable<ItemRow>? sorted = null;
        foreach (var (field, descending) in keys)
        {
            switch (field)
            {
                case "key": By(i => i.TrackerKey, descending); By(i => i.Number, descending); break;
                case "summary": By(i => i.Summary, descending); break;
                case "status": By(i => i.Status, descending); break;
                case "priority": NullsLast(i => i.Priority == null); By(i => i.Priority, descending); break;
                case "severity": NullsLast(i => i.Severity == null); By(i => i.Severity, descending); break;
                case "submitter": By(i => i.Submitter, descending); break;
                case "submittedAt": By(i => i.SubmittedAt, descending); break;
                case "startDate": NullsLast(i => i.StartDate == null); By(i => i.StartDate, descending); break;
                case "endDate": NullsLast(i => i.EndDate == null); By(i => i.EndDate, descending); break;
                case "estimatedHours": NullsLast(i => i.EstimatedHours == null); By(i => i.EstimatedHours, descending); break;
                case "resolution": NullsLast(i => i.Resolution == null); By(i => i.Resolution, descending); break;
                case "updatedAt": By(i => i.UpdatedAt, descending); break;
                default: throw new ArgumentException($"Unknown sort field {field}.", nameof(keys));
            }
        }
        By(i => i.Id, descending: false);
        return sorted!;

        void By<T>(System.Linq.Expressions.Expression<Func<ItemRow, T>> key, bool descending) => sorted = sorted is null
            ? descending ? items.OrderByDescending(key) : items.OrderBy(key)
            : descending ? sorted.ThenByDescending(key) : sorted.ThenBy(key);

        // Empty values last in either direction (SQLite would put NULL first, PostgreSQL last).
        void NullsLast(System.Linq.Expressions.Expression<Func<ItemRow, bool>> isNull) => By(isNull, descending: false);
    }

    /// <summary>Checks <c>page</c> (from 1) and <c>pageSize</c> (1 to <see cref="MaxPageSize"/>, default <see cref="DefaultPageSize"/>).</summary>
    public static ParseResult<(int Page, int PageSize)> ParsePage(int? page, int? pageSize)
    {
        var errors = new List<Diagnostic>();
        if (page is < 1) errors.Add(new("page", $"{page} is not a page number; pages are numbered from 1."));
        if (pageSize is < 1 or > MaxPageSize) errors.Add(new("pageSize", $"{pageSize} is not a page size; use 1 to {MaxPageSize} (default {DefaultPageSize})."));
        return errors.Count > 0
            ? ParseResult<(int, int)>.Fail(errors)
            : ParseResult<(int, int)>.Ok((page ?? 1, pageSize ?? DefaultPageSize));
    }
}
