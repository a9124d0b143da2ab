namespace Klaxon.Core.Expressions;

/// <summary>
/// An expression after type checking: every node knows its type, string literals compared with
/// date-times are already instants. The evaluator and the SQL translation both work from this tree.
/// </summary>
public abstract record Bound(ExprType Type);

public sealed record BoundLiteral(ExprType Type, object? Value) : Bound(Type);

public sealed record BoundField(ExprType Type, string Name) : Bound(Type);

/// <summary><c>not</c> (Bool) or <c>-</c> (Number, Duration).</summary>
public sealed record BoundUnary(ExprType Type, string Operator, Bound Operand) : Bound(Type);

/// <summary>Operators: <c>and or == != &lt; &lt;= &gt; &gt;= + - * / %</c>; the operand types say which arithmetic.</summary>
public sealed record BoundBinary(ExprType Type, string Operator, Bound Left, Bound Right) : Bound(Type);

public sealed record BoundIn(Bound Operand, IReadOnlyList<Bound> Items, bool Negated) : Bound(ExprType.Bool);

public sealed record BoundIs(Bound Operand, bool Empty, bool Negated) : Bound(ExprType.Bool);

public sealed record BoundConditional(ExprType Type, Bound Condition, Bound WhenTrue, Bound WhenFalse) : Bound(Type);

/// <summary><c>now()</c>, <c>coalesce(…)</c>, <c>hoursBetween(a, b)</c>, <c>contains(list, text)</c>.</summary>
public sealed record BoundCall(ExprType Type, string Function, IReadOnlyList<Bound> Arguments) : Bound(Type);
