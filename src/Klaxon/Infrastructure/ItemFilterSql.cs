using System.Globalization;
using System.Text;
using Klaxon.Core.Expressions;
using NodaTime;

namespace Klaxon.Infrastructure;

public enum SqlDialect
{
    Sqlite,
    PostgreSql,
}

/// <summary>A WHERE condition over the items table and its parameters (named <c>@f0</c>, <c>@f1</c>, …).</summary>
public sealed record SqlCondition(string Sql, IReadOnlyList<KeyValuePair<string, object>> Parameters);

/// <summary>
/// Translates a type-checked filter into SQL over the <c>items</c> table, for SQLite and PostgreSQL, with
/// the evaluator's two-valued semantics: equality treats null as a value (<c>IS</c> /
/// <c>IS NOT DISTINCT FROM</c>), ordering with a null side is false (<c>COALESCE(…, FALSE)</c>), a null
/// condition is false, arithmetic with null or division by zero gives null. Date-times and durations are
/// Unix milliseconds, as stored; callers pass <c>now</c> truncated to the millisecond so both sides agree.
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

    /// <summary>A non-null SQL boolean: values that may be null are coalesced to false.</summary>
    private string Condition(Bound node) => node switch
    {
        BoundBinary { Type: ExprType.Bool, Operator: not ("+" or "-" or "*" or "/" or "%") } or BoundIn or BoundIs or BoundUnary { Operator: "not" }
            or BoundCall { Function: "contains" } => Value(node),
        BoundLiteral { Value: bool b } => b ? True : False,
        _ => $"COALESCE({Value(node)}, {False})",
    };

    private string Value(Bound node)
    {
        switch (node)
        {
            case BoundLiteral literal:
                return Literal(literal.Value);
            case BoundField field:
                return Field(field);
            case BoundUnary { Operator: "not" } not:
                return $"(NOT {Condition(not.Operand)})";
            case BoundUnary negate:
                return $"(-{Value(negate.Operand)})";
            case BoundBinary { Operator: "and" or "or" } logic:
                return $"({Condition(logic.Left)} {logic.Operator.ToUpperInvariant()} {Condition(logic.Right)})";
            case BoundBinary { Operator: "==" or "!=" } eq:
                var same = Equal(Value(eq.Left), Value(eq.Right));
                return eq.Operator == "==" ? same : $"(NOT {same})";
            case BoundBinary { Operator: "<" or "<=" or ">" or ">=" } cmp:
                var text = cmp.Left.Type == ExprType.Text || cmp.Right.Type == ExprType.Text;
                var collate = text && Pg ? " COLLATE \"C\"" : "";
                return $"COALESCE(({Value(cmp.Left)}{collate} {cmp.Operator} {Value(cmp.Right)}{collate}), {False})";
            case BoundBinary arithmetic:
                return Arithmetic(arithmetic);
            case BoundIn @in:
                var subject = Value(@in.Operand);
                var any = @in.Items.Count == 0 ? False : "(" + string.Join(" OR ", @in.Items.Select(i => Equal(subject, Value(i)))) + ")";
                return @in.Negated ? $"(NOT {any})" : any;
            case BoundIs @is:
                var operand = Value(@is.Operand);
                var test = !@is.Empty ? $"({operand} IS NULL)"
                    : @is.Operand.Type == ExprType.Text ? $"({operand} IS NULL OR {operand} = '')"
                    : @is.Operand.Type == ExprType.TextList ? $"({operand} IS NULL OR {operand} = '[]')"
                    : $"({operand} IS NULL)";
                return @is.Negated ? $"(NOT {test})" : test;
            case BoundConditional conditional:
                return $"(CASE WHEN {Condition(conditional.Condition)} THEN {Value(conditional.WhenTrue)} ELSE {Value(conditional.WhenFalse)} END)";
            case BoundCall call:
                return Call(call);
            default:
                throw new ArgumentException($"Cannot translate {node.GetType().Name} to SQL.", nameof(node));
        }
    }

    private string Equal(string left, string right) => Pg ? $"({left} IS NOT DISTINCT FROM {right})" : $"({left} IS {right})";

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

    private string Field(BoundField field)
    {
        if (Columns.TryGetValue(field.Name, out var column))
        {
            var quoted = $"\"{column}\"";
            return Pg && field.Type == ExprType.Number ? $"CAST({quoted} AS numeric)" : quoted;
        }
        var name = field.Name["fields.".Length..]; // a validated identifier: letters, digits, '_'
        if (!Pg) return $"json_extract(\"fields\", '$.\"{name}\"')";
        var text = $"(CAST(\"fields\" AS jsonb) ->> '{name}')";
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
        var (l, r, op) = (Value(node.Left), Value(node.Right), node.Operator);
        var (lt, rt) = (node.Left.Type, node.Right.Type);
        if (lt == ExprType.Duration || rt == ExprType.Duration)
        {
            if (op is "*" or "/")
            {
                // Duration scaled by a number: milliseconds truncated toward zero.
                var scaled = op == "*" ? $"({l} * {r})" : $"({l} / {(Pg ? $"NULLIF({r}, 0)" : $"NULLIF(CAST({r} AS REAL), 0)")})";
                return Pg ? $"CAST(trunc({scaled}) AS bigint)" : $"CAST({scaled} AS INTEGER)";
            }
        }
        return op switch
        {
            "/" => Pg ? $"({l} / NULLIF({r}, 0))" : $"(CAST({l} AS REAL) / NULLIF({r}, 0))",
            "%" => Pg ? $"({l} % NULLIF({r}, 0))" : $"({l} - {r} * CAST(CAST({l} AS REAL) / NULLIF({r}, 0) AS INTEGER))",
            _ => $"({l} {op} {r})",
        };
    }

    private string Call(BoundCall call)
    {
        var args = call.Arguments.Select(Value).ToList();
        return call.Function switch
        {
            "now" => Millis(now.ToUnixTimeMilliseconds()),
            "coalesce" => args.Count == 1 ? args[0] : $"COALESCE({string.Join(", ", args)})",
            "hoursBetween" => Pg
                ? $"(CAST(({args[1]} - {args[0]}) AS numeric) / {NodaConstants.MillisecondsPerHour})"
                : $"(CAST(({args[1]} - {args[0]}) AS REAL) / {NodaConstants.MillisecondsPerHour})",
            "contains" => Pg
                ? $"COALESCE(jsonb_exists(CAST({args[0]} AS jsonb), {args[1]}), FALSE)"
                : $"EXISTS (SELECT 1 FROM json_each({args[0]}) WHERE value = {args[1]})",
            _ => throw new ArgumentException($"Unknown function {call.Function}.", nameof(call)),
        };
    }
}
