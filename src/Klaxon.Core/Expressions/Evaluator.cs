using NodaTime;

namespace Klaxon.Core.Expressions;

/// <summary>
/// Turns a bound expression into a delegate. Semantics are two-valued, the same as the SQL translation:
/// <c>==</c> treats null as a value (null == null), ordering comparisons with a null side are false,
/// a null condition counts as false, arithmetic with null (or division by zero, or overflow) gives null.
/// Durations are whole milliseconds, the precision of stored instants.
/// </summary>
internal static class Evaluator
{
    public delegate object? Eval(IFieldValues item, Instant now);

    public static Eval Compile(Bound node)
    {
        switch (node)
        {
            case BoundLiteral literal:
                var value = literal.Value;
                return (_, _) => value;
            case BoundField field:
                var name = field.Name;
                return (item, _) => item.Get(name);
            case BoundUnary { Operator: "not" } not:
                var operand = Compile(not.Operand);
                return (item, now) => !IsTrue(operand(item, now));
            case BoundUnary negate:
                var inner = Compile(negate.Operand);
                return (item, now) => inner(item, now) switch
                {
                    decimal d => -d,
                    Duration d => -d,
                    _ => null,
                };
            case BoundBinary { Operator: "and" } and:
                var (al, ar) = (Compile(and.Left), Compile(and.Right));
                return (item, now) => IsTrue(al(item, now)) && IsTrue(ar(item, now));
            case BoundBinary { Operator: "or" } or:
                var (ol, or2) = (Compile(or.Left), Compile(or.Right));
                return (item, now) => IsTrue(ol(item, now)) || IsTrue(or2(item, now));
            case BoundBinary binary:
                var (left, right, op) = (Compile(binary.Left), Compile(binary.Right), binary.Operator);
                return op switch
                {
                    "==" => (item, now) => ValuesEqual(left(item, now), right(item, now)),
                    "!=" => (item, now) => !ValuesEqual(left(item, now), right(item, now)),
                    "<" => (item, now) => Compare(left(item, now), right(item, now)) is < 0,
                    "<=" => (item, now) => Compare(left(item, now), right(item, now)) is <= 0,
                    ">" => (item, now) => Compare(left(item, now), right(item, now)) is > 0,
                    ">=" => (item, now) => Compare(left(item, now), right(item, now)) is >= 0,
                    _ => (item, now) => Arithmetic(op, left(item, now), right(item, now)),
                };
            case BoundIn @in:
                var subject = Compile(@in.Operand);
                var items = @in.Items.Select(Compile).ToArray();
                var negated = @in.Negated;
                return (item, now) =>
                {
                    var v = subject(item, now);
                    foreach (var candidate in items)
                    {
                        if (ValuesEqual(v, candidate(item, now))) return !negated;
                    }
                    return negated;
                };
            case BoundIs @is:
                var tested = Compile(@is.Operand);
                var (empty, isNegated) = (@is.Empty, @is.Negated);
                return (item, now) =>
                {
                    var v = tested(item, now);
                    var result = empty ? IsEmpty(v) : v is null;
                    return result != isNegated;
                };
            case BoundConditional conditional:
                var (c, t, f) = (Compile(conditional.Condition), Compile(conditional.WhenTrue), Compile(conditional.WhenFalse));
                return (item, now) => IsTrue(c(item, now)) ? t(item, now) : f(item, now);
            case BoundCall call:
                return CompileCall(call);
            default:
                throw new ArgumentException($"Cannot evaluate {node.GetType().Name}.", nameof(node));
        }
    }

    private static Eval CompileCall(BoundCall call)
    {
        var args = call.Arguments.Select(Compile).ToArray();
        return call.Function switch
        {
            "now" => (_, now) => now,
            "coalesce" => (item, now) =>
            {
                foreach (var arg in args)
                {
                    if (arg(item, now) is { } v) return v;
                }
                return null;
            },
            "hoursBetween" => (item, now) =>
                args[0](item, now) is Instant a && args[1](item, now) is Instant b
                    ? (decimal)(b - a).BclCompatibleTicks / NodaConstants.TicksPerHour
                    : null,
            "contains" => (item, now) =>
                args[0](item, now) is IReadOnlyList<string> list && args[1](item, now) is string s && list.Contains(s),
            _ => throw new ArgumentException($"Unknown function {call.Function}.", nameof(call)),
        };
    }

    public static bool IsTrue(object? value) => value is true;

    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        IReadOnlyList<string> list => list.Count == 0,
        _ => false,
    };

    public static bool ValuesEqual(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        return (a, b) switch
        {
            (decimal x, decimal y) => x == y,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (IReadOnlyList<string> x, IReadOnlyList<string> y) => x.SequenceEqual(y),
            _ => a.Equals(b),
        };
    }

    /// <summary>Orders two values of one type; null when either is null (the comparison is then false).</summary>
    public static int? Compare(object? a, object? b) => (a, b) switch
    {
        (decimal x, decimal y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y) switch { < 0 => -1, > 0 => 1, _ => 0 },
        (Instant x, Instant y) => x.CompareTo(y),
        (Duration x, Duration y) => x.CompareTo(y),
        _ => null,
    };

    // Instants are stored to the millisecond, so a scaled duration is cut to whole milliseconds (toward zero),
    // as the SQL translation computes it; otherwise 1h / 7 would differ in the sixth decimal of a second.
    private static decimal Milliseconds(Duration duration) => duration.BclCompatibleTicks / NodaConstants.TicksPerMillisecond;

    private static Duration Milliseconds(decimal milliseconds) => Duration.FromMilliseconds((long)decimal.Truncate(milliseconds));

    private static object? Arithmetic(string op, object? a, object? b)
    {
        try
        {
            return (op, a, b) switch
            {
                ("+", decimal x, decimal y) => x + y,
                ("-", decimal x, decimal y) => x - y,
                ("*", decimal x, decimal y) => x * y,
                ("/", decimal x, decimal y) => y == 0 ? null : x / y,
                ("%", decimal x, decimal y) => y == 0 ? null : x % y,
                ("+", Instant x, Duration y) => x + y,
                ("-", Instant x, Duration y) => x - y,
                ("+", Duration x, Instant y) => y + x,
                ("-", Instant x, Instant y) => x - y,
                ("+", Duration x, Duration y) => x + y,
                ("-", Duration x, Duration y) => x - y,
                ("*", Duration x, decimal y) => Milliseconds(Milliseconds(x) * y),
                ("*", decimal x, Duration y) => Milliseconds(Milliseconds(y) * x),
                ("/", Duration x, decimal y) => y == 0 ? null : Milliseconds(Milliseconds(x) / y),
                _ => null,
            };
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
