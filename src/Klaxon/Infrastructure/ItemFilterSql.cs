using System.Globalization;
using Klaxon.Core.Expressions;
using NodaTime;

namespace Klaxon.Infrastructure;

public enum SqlDialect
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A WHERE condition over the items table and its parameters (named <c>@f0</c>, <c>@f1</c>, …). Columns are
/// qualified as <c>"items".column</c>, so the query must name the table <c>items</c> without an alias.
/// </summary>
public sealed record SqlCondition(string Sql, IReadOnlyList<KeyValuePair<string, object>> Parameters);

/// <summary>
/// Translates a type-checked filter into SQL over the <c>items</c> table, for SQLite and PostgreSQL, with
/// the evaluator's two-valued semantics: equality treats null as a value, ordering with a null side is false,
/// a null condition is false, arithmetic with null or division by zero gives null. Every condition it writes is
/// TRUE or FALSE, never NULL, so <c>NOT</c> means what it means in the evaluator. Date-times and durations are
/// Unix milliseconds, as stored; callers pass <c>now</c> truncated to the millisecond so both sides agree.
/// <para>
/// Comparisons of a column with a constant are written so that an index on the column can serve them
/// (<c>"status" = @f0</c>, <c>("priority" IS NOT NULL AND "priority" &lt;= 2)</c>) rather than wrapped in
/// <c>COALESCE</c> or PostgreSQL's <c>IS NOT DISTINCT FROM</c>, which no index serves.
/// </para>
/// </summary>
public sealed class ItemFilterSql
{
    private static readonly Dictionary<string, string> Columns = new(StringComparer.Ordinal)
    {
        ["key"] = "key",
        ["summary"] = "summary",
        ["description"] = "description",
        ["status"] = "status",
        ["priority"] = "priority",
        ["severity"] = "severity",
        ["submitter"] = "submitter",
        ["submittedAt"] = "submitted_at",
        ["assignedTo"] = "assigned_to",
        ["supervisors"] = "supervisors",
        ["startDate"] = "start_date",
        ["endDate"] = "end_date",
        ["estimatedHours"] = "estimated_hours",
        ["resolution"] = "resolution",
    };

    /// <summary>Built-in fields whose columns are NOT NULL.</summary>
    private static readonly HashSet<string> Required = ["key", "summary", "status", "submitter", "submittedAt", "assignedTo", "supervisors"];

    /// <summary>Built-in number fields stored as integers (compared as they are; converted to numeric for arithmetic).</summary>
    private static readonly HashSet<string> IntegerColumns = ["priority", "severity"];

    private readonly SqlDialect dialect;
    private readonly Instant now;
    private readonly List<KeyValuePair<string, object>> parameters = [];

    private ItemFilterSql(SqlDialect dialect, Instant now)
    {
        this.dialect = dialect;
        this.now = now;
    }

    private bool Pg => dialect == SqlDialect.PostgreSql;

    private string False => Pg ? "FALSE" : "0";

    private string True => Pg ? "TRUE" : "1";

    /// <summary>The SQL condition for a filter (an expression of type Bool or Null).</summary>
    public static SqlCondition Translate(CompiledExpression filter, SqlDialect dialect, Instant now)
    {
        var translator = new ItemFilterSql(dialect, now);
        var sql = translator.Condition(filter.Tree);
        return new SqlCondition(sql, translator.parameters);
    }

    /// <summary>A SQL boolean that is never NULL: a value that may be null counts as false.</summary>
    private string Condition(Bound node) => node switch
    {
        { Type: ExprType.Null } => False,
        BoundLiteral { Value: bool b } => b ? True : False,
        _ when IsTwoValued(node) => Value(node, ExprType.Bool),
        _ => $"COALESCE({Value(node, ExprType.Bool)}, {False})",
    };

    /// <summary>Whether the SQL of a boolean node is never NULL (comparisons, logic, in, is, contains).</summary>
    private static bool IsTwoValued(Bound node) => node switch
    {
        BoundBinary { Operator: "==" or "!=" or "<" or "<=" or ">" or ">=" or "and" or "or" } => true,
        BoundIn or BoundIs or BoundUnary { Operator: "not" } or BoundCall { Function: "contains" } => true,
        _ => false,
    };

    /// <summary>Whether the node's SQL value is never NULL.</summary>
    private static bool NeverNull(Bound node) => node switch
    {
        BoundLiteral literal => literal.Value is not null,
        BoundField field => Required.Contains(field.Name),
        BoundCall { Function: "now" } => true,
        _ => IsTwoValued(node),
    };

    /// <summary>
    /// The SQL value of a node. <paramref name="context"/> is the type the surrounding expression expects, used to
    /// give PostgreSQL a typed NULL for an expression of the null type (a bare NULL in CASE or COALESCE is text).
    /// </summary>
    private string Value(Bound node, ExprType context)
    {
        // An expression of the null type (null, null + null, c ? null : null, …) is null for every item.
        if (node.Type == ExprType.Null) return Null(context);
        switch (node)
        {
            case BoundLiteral literal:
                return Literal(literal.Value);
            case BoundField field:
                return Field(field);
            case BoundUnary { Operator: "not" } not:
                return $"(NOT {Condition(not.Operand)})";
            case BoundUnary negate:
                return $"(-{Value(negate.Operand, negate.Type)})";
            case BoundBinary { Operator: "and" or "or" } logic:
                return $"({Condition(logic.Left)} {logic.Operator.ToUpperInvariant()} {Condition(logic.Right)})";
            case BoundBinary { Operator: "==" } eq:
                return Equal(eq.Left, eq.Right);
            case BoundBinary { Operator: "!=" } ne:
                return $"(NOT {Equal(ne.Left, ne.Right)})";
            case BoundBinary { Operator: "<" or "<=" or ">" or ">=" } cmp:
                return Order(cmp);
            case BoundBinary arithmetic:
                return Arithmetic(arithmetic);
            case BoundIn @in:
                var any = @in.Items.Count == 0 ? False : "(" + string.Join(" OR ", @in.Items.Select(i => Equal(@in.Operand, i))) + ")";
                return @in.Negated ? $"(NOT {any})" : any;
            case BoundIs @is:
                return Is(@is);
            case BoundConditional conditional:
                return $"(CASE WHEN {Condition(conditional.Condition)} THEN {Value(conditional.WhenTrue, conditional.Type)} ELSE {Value(conditional.WhenFalse, conditional.Type)} END)";
            case BoundCall call:
                return Call(call);
            default:
                throw new ArgumentException($"Cannot translate {node.GetType().Name} to SQL.", nameof(node));
        }
    }

    private string Null(ExprType type) => !Pg ? "NULL" : type switch
    {
        ExprType.Bool => "CAST(NULL AS boolean)",
        ExprType.Number => "CAST(NULL AS numeric)",
        ExprType.Text or ExprType.TextList => "CAST(NULL AS text)",
        ExprType.DateTime or ExprType.Duration => "CAST(NULL AS bigint)",
        _ => "NULL",
    };

    /// <summary>
    /// An operand of a comparison. PostgreSQL compares integer columns and integral constants as they are, so an
    /// index on the column applies; in arithmetic they are numeric, or 7 / 2 would be 3.
    /// </summary>
    private string Operand(Bound node, ExprType context)
    {
        if (!Pg) return Value(node, context);
        return node switch
        {
            BoundField field when IntegerColumns.Contains(field.Name) => Quote(Columns[field.Name]),
            BoundLiteral { Value: decimal d } when d == decimal.Truncate(d) && Math.Abs(d) < 1_000_000_000_000m => decimal.Truncate(d).ToString(CultureInfo.InvariantCulture),
            _ => Value(node, context),
        };
    }

    /// <summary>Null-safe equality as a never-NULL condition: null equals null and nothing else.</summary>
    private string Equal(Bound left, Bound right)
    {
        if (left.Type == ExprType.Null && right.Type == ExprType.Null) return True;
        if (left.Type == ExprType.Null) return $"({Value(right, right.Type)} IS NULL)";
        if (right.Type == ExprType.Null) return $"({Value(left, left.Type)} IS NULL)";
        var (l, r) = (Operand(left, right.Type), Operand(right, left.Type));
        if (NeverNull(left) && NeverNull(right)) return $"({l} = {r})";
        // SQLite's IS is null-safe and served by indexes; PostgreSQL's IS NOT DISTINCT FROM is not, so a
        // column next to a constant is compared with '=' after a null test.
        if (!Pg) return $"({l} IS {r})";
        if (NeverNull(right) && left is BoundField) return $"({l} IS NOT NULL AND {l} = {r})";
        if (NeverNull(left) && right is BoundField) return $"({r} IS NOT NULL AND {l} = {r})";
        return $"({l} IS NOT DISTINCT FROM {r})";
    }

    /// <summary><c>&lt; &lt;= &gt; &gt;=</c>: false when either side is null. Text compares by code point, as the evaluator does.</summary>
    private string Order(BoundBinary cmp)
    {
        if (cmp.Left.Type == ExprType.Null || cmp.Right.Type == ExprType.Null) return False;
        var (l, r) = (Operand(cmp.Left, cmp.Right.Type), Operand(cmp.Right, cmp.Left.Type));
        var collate = Pg && cmp.Left.Type == ExprType.Text ? " COLLATE \"C\"" : "";
        var comparison = $"{l}{collate} {cmp.Operator} {r}{collate}";
        if (cmp.Left is not (BoundField or BoundLiteral) || cmp.Right is not (BoundField or BoundLiteral))
            return $"COALESCE(({comparison}), {False})";
        var guards = new[] { (cmp.Left, l), (cmp.Right, r) }.Where(s => !NeverNull(s.Item1)).Select(s => $"{s.Item2} IS NOT NULL AND ");
        return $"({string.Concat(guards)}{comparison})";
    }

    private string Is(BoundIs node)
    {
        var operand = Value(node.Operand, node.Operand.Type);
        var test = !node.Empty || node.Operand.Type is not (ExprType.Text or ExprType.TextList) ? $"({operand} IS NULL)"
            : node.Operand.Type == ExprType.Text ? $"({operand} IS NULL OR {operand} = '')"
            : Pg ? $"({operand} IS NULL OR jsonb_array_length(CAST({operand} AS jsonb)) = 0)"
            : $"({operand} IS NULL OR json_array_length({operand}) = 0)";
        return node.Negated ? $"(NOT {test})" : test;
    }

    private string Literal(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? True : False,
        decimal d => Pg ? $"CAST({d.ToString(CultureInfo.InvariantCulture)} AS numeric)" : d.ToString(CultureInfo.InvariantCulture),
        Instant i => Millis(i.ToUnixTimeMilliseconds()),
        Duration d => Millis(d.BclCompatibleTicks / NodaConstants.TicksPerMillisecond),
        string s => Parameter(s),
        _ => throw new ArgumentException($"Cannot translate the literal {value}.", nameof(value)),
    };

    private string Millis(long ms) => Pg ? $"CAST({ms} AS bigint)" : ms.ToString(CultureInfo.InvariantCulture);

    private string Parameter(string value)
    {
        var name = "@f" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        parameters.Add(new(name, value));
        return Pg ? $"CAST({name} AS text)" : name;
    }

    // Qualified, so that inside contains()'s subquery "key" and "value" do not name json_each's own columns.
    private static string Quote(string column) => $"\"items\".\"{column}\"";

    private string Field(BoundField field)
    {
        if (Columns.TryGetValue(field.Name, out var column))
            return Pg && field.Type == ExprType.Number ? $"CAST({Quote(column)} AS numeric)" : Quote(column);
        var name = field.Name["fields.".Length..]; // a validated identifier: letters, digits, '_'
        if (!Pg) return $"json_extract({Quote("fields")}, '$.\"{name}\"')";
        var text = $"(CAST({Quote("fields")} AS jsonb) ->> '{name}')";
        return field.Type switch
        {
            ExprType.Number => $"CAST({text} AS numeric)",
            ExprType.DateTime => $"CAST({text} AS bigint)",
            ExprType.Bool => $"CAST({text} AS boolean)",
            _ => text,
        };
    }

    private string Arithmetic(BoundBinary node)
    {
        // With a side of the null type the result is null for every item.
        if (node.Left.Type == ExprType.Null || node.Right.Type == ExprType.Null) return Null(node.Type);
        var (l, r, op) = (Value(node.Left, node.Left.Type), Value(node.Right, node.Right.Type), node.Operator);
        if (node.Type == ExprType.Duration && op is "*" or "/")
        {
            // A duration scaled by a number: whole milliseconds, truncated toward zero, as in the evaluator.
            var scaled = op == "*" ? $"({l} * {r})" : $"({l} / {(Pg ? $"NULLIF({r}, 0)" : $"NULLIF(CAST({r} AS REAL), 0)")})";
            return Pg ? $"CAST(trunc({scaled}) AS bigint)" : $"CAST({scaled} AS INTEGER)";
        }
        return op switch
        {
            "/" => Pg ? $"({l} / NULLIF({r}, 0))" : $"(CAST({l} AS REAL) / NULLIF({r}, 0))",
            // The remainder takes the dividend's sign, as decimal's does (SQLite's % works on integers only).
            "%" => Pg ? $"({l} % NULLIF({r}, 0))" : $"({l} - {r} * CAST(CAST({l} AS REAL) / NULLIF({r}, 0) AS INTEGER))",
            _ => $"({l} {op} {r})",
        };
    }

    private string Call(BoundCall call)
    {
        switch (call.Function)
        {
            case "now":
                return Millis(now.ToUnixTimeMilliseconds());
            case "coalesce":
                var args = call.Arguments.Select(a => Value(a, call.Type)).ToList();
                return args.Count == 1 ? args[0] : $"COALESCE({string.Join(", ", args)})";
            case "hoursBetween":
                if (call.Arguments.Any(a => a.Type == ExprType.Null)) return Null(ExprType.Number);
                var (from, to) = (Value(call.Arguments[0], ExprType.DateTime), Value(call.Arguments[1], ExprType.DateTime));
                return $"(CAST(({to} - {from}) AS {(Pg ? "numeric" : "REAL")}) / {NodaConstants.MillisecondsPerHour})";
            case "contains":
                if (call.Arguments.Any(a => a.Type == ExprType.Null)) return False;
                var (list, value) = (Value(call.Arguments[0], ExprType.TextList), Value(call.Arguments[1], ExprType.Text));
                return Pg
                    ? $"COALESCE(jsonb_exists(CAST({list} AS jsonb), {value}), FALSE)"
                    : $"EXISTS (SELECT 1 FROM json_each({list}) AS \"element\" WHERE \"element\".\"value\" = {value})";
            default:
                throw new ArgumentException($"Unknown function {call.Function}.", nameof(call));
        }
    }
}
