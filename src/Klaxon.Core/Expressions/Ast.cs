namespace Klaxon.Core.Expressions;

/// <summary>A node of a parsed expression. <see cref="Position"/> is where it starts in the text.</summary>
public abstract record Node(TextPosition Position);

/// <summary>A constant: null, a bool, a decimal number, a string, or a NodaTime Duration.</summary>
public sealed record LiteralNode(TextPosition Position, object? Value) : Node(Position);

/// <summary>A field of the item: <c>priority</c>, or a custom field <c>fields.region</c>.</summary>
public sealed record FieldNode(TextPosition Position, string Name) : Node(Position);

public sealed record UnaryNode(TextPosition Position, string Operator, Node Operand) : Node(Position);

/// <summary>Arithmetic (<c>+ - * / %</c>), comparison (<c>== != &lt; &lt;= &gt; &gt;=</c>) or logic (<c>and or</c>).</summary>
public sealed record BinaryNode(TextPosition Position, string Operator, Node Left, Node Right) : Node(Position);

/// <summary><c>x in (a, b)</c> or <c>x not in (a, b)</c>.</summary>
public sealed record InNode(TextPosition Position, Node Operand, IReadOnlyList<Node> Items, bool Negated) : Node(Position);

/// <summary><c>x is empty</c> (null, empty text or empty list), <c>x is null</c>, and their <c>is not</c> forms.</summary>
public sealed record IsNode(TextPosition Position, Node Operand, bool Empty, bool Negated) : Node(Position);

public sealed record ConditionalNode(TextPosition Position, Node Condition, Node WhenTrue, Node WhenFalse) : Node(Position);

public sealed record CallNode(TextPosition Position, string Function, IReadOnlyList<Node> Arguments) : Node(Position);
