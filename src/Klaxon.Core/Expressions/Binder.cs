using NodaTime;
using NodaTime.Text;

namespace Klaxon.Core.Expressions;

/// <summary>Checks names and types of a parsed expression against a <see cref="FieldSchema"/>.</summary>
internal sealed class Binder(FieldSchema schema)
{
    public List<ExpressionError> Errors { get; } = [];

    private Bound Fail(Node node, string message)
    {
        Errors.Add(new ExpressionError(node.Position, message));
        return new BoundLiteral(ExprType.Error, null);
    }

    private static string Name(ExprType type) => type switch
    {
        ExprType.Null => "null",
        ExprType.Bool => "a boolean",
        ExprType.Number => "a number",
        ExprType.Text => "text",
        ExprType.DateTime => "a date-time",
        ExprType.Duration => "a duration",
        ExprType.TextList => "a list of users",
        _ => "an invalid value",
    };

    public Bound Bind(Node node) => node switch
    {
        LiteralNode literal => new BoundLiteral(literal.Value switch
        {
            null => ExprType.Null,
            bool => ExprType.Bool,
            decimal => ExprType.Number,
            string => ExprType.Text,
            Duration => ExprType.Duration,
            _ => ExprType.Error,
        }, literal.Value),
        FieldNode field => BindField(field),
        UnaryNode unary => BindUnary(unary),
        BinaryNode binary => BindBinary(binary),
        InNode @in => BindIn(@in),
        IsNode @is => BindIs(@is),
        ConditionalNode conditional => BindConditional(conditional),
        CallNode call => BindCall(call),
        _ => Fail(node, "unsupported expression"),
    };

    private Bound BindField(FieldNode node)
    {
        if (schema.Find(node.Name) is { } field) return new BoundField(field.Type, node.Name);
        var known = string.Join(", ", schema.Fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        return Fail(node, $"unknown field '{node.Name}'; known fields: {known}");
    }

    /// <summary>A value used as a condition must be a boolean (null counts as false).</summary>
    public Bound Condition(Node node, string role)
    {
        var bound = Bind(node);
        if (bound.Type is ExprType.Bool or ExprType.Null or ExprType.Error) return bound;
        Errors.Add(new ExpressionError(StartOf(node), $"{role} must be a condition (true or false), but this is {Name(bound.Type)}"));
        return new BoundLiteral(ExprType.Error, null);
    }

    /// <summary>Where the text of a node begins (a binary node's own position is its operator's).</summary>
    public static TextPosition StartOf(Node node) => node switch
    {
        BinaryNode b => StartOf(b.Left),
        InNode i => StartOf(i.Operand),
        IsNode i => StartOf(i.Operand),
        ConditionalNode c => StartOf(c.Condition),
        _ => node.Position,
    };

    private Bound BindUnary(UnaryNode node)
    {
        if (node.Operator == "not")
            return Wrap(Condition(node.Operand, "the operand of 'not'"), o => new BoundUnary(ExprType.Bool, "not", o));
        var operand = Bind(node.Operand);
        return operand.Type switch
        {
            ExprType.Error => operand,
            ExprType.Number or ExprType.Duration or ExprType.Null => new BoundUnary(operand.Type, "-", operand),
            _ => Fail(node, $"'-' needs a number or a duration, not {Name(operand.Type)}"),
        };
    }

    private static Bound Wrap(Bound operand, Func<Bound, Bound> make) => operand.Type == ExprType.Error ? operand : make(operand);

    private Bound BindBinary(BinaryNode node)
    {
        if (node.Operator is "and" or "or")
        {
            var l = Condition(node.Left, $"the left side of '{node.Operator}'");
            var r = Condition(node.Right, $"the right side of '{node.Operator}'");
            return l.Type == ExprType.Error || r.Type == ExprType.Error ? l with { Type = ExprType.Error } : new BoundBinary(ExprType.Bool, node.Operator, l, r);
        }
        var left = Bind(node.Left);
        var right = Bind(node.Right);
        if (left.Type == ExprType.Error || right.Type == ExprType.Error) return new BoundLiteral(ExprType.Error, null);
        switch (node.Operator)
        {
            case "==" or "!=":
                (left, right) = Unify(node, left, right);
                if (left.Type == ExprType.Error || right.Type == ExprType.Error) return new BoundLiteral(ExprType.Error, null);
                if (left.Type == ExprType.TextList || right.Type == ExprType.TextList)
                    return Fail(node, $"'{node.Operator}' cannot compare lists of users; use contains(list, value) or 'is empty'");
                CheckChoice(node.Right, left, right);
                CheckChoice(node.Left, right, left);
                return new BoundBinary(ExprType.Bool, node.Operator, left, right);
            case "<" or "<=" or ">" or ">=":
                (left, right) = Unify(node, left, right);
                if (left.Type == ExprType.Error || right.Type == ExprType.Error) return new BoundLiteral(ExprType.Error, null);
                var type = left.Type == ExprType.Null ? right.Type : left.Type;
                if (type is ExprType.Bool or ExprType.TextList)
                    return Fail(node, $"'{node.Operator}' cannot order {Name(type)} values");
                return new BoundBinary(ExprType.Bool, node.Operator, left, right);
            default:
                return BindArithmetic(node, left, right);
        }
    }

    private Bound BindArithmetic(BinaryNode node, Bound left, Bound right)
    {
        var (l, r) = (left.Type, right.Type);
        ExprType? result = (node.Operator, l, r) switch
        {
            (_, ExprType.Null, ExprType.Null) => ExprType.Null,
            ("+" or "-" or "*" or "/" or "%", ExprType.Number, ExprType.Number or ExprType.Null) => ExprType.Number,
            ("+" or "-" or "*" or "/" or "%", ExprType.Null, ExprType.Number) => ExprType.Number,
            ("+" or "-", ExprType.DateTime, ExprType.Duration) => ExprType.DateTime,
            ("+", ExprType.Duration, ExprType.DateTime) => ExprType.DateTime,
            ("-", ExprType.DateTime, ExprType.DateTime) => ExprType.Duration,
            ("+" or "-", ExprType.Duration, ExprType.Duration) => ExprType.Duration,
            ("*" or "/", ExprType.Duration, ExprType.Number) => ExprType.Duration,
            ("*", ExprType.Number, ExprType.Duration) => ExprType.Duration,
            (_, ExprType.Null, _) when r is ExprType.DateTime or ExprType.Duration => r,
            (_, _, ExprType.Null) when l is ExprType.DateTime or ExprType.Duration => l,
            _ => null,
        };
        if (result is null)
            return Fail(node, $"'{node.Operator}' cannot combine {Name(l)} and {Name(r)}");
        return new BoundBinary(result.Value, node.Operator, left, right);
    }

    /// <summary>Makes two operands comparable: same type, or one null; text literals next to date-times become instants.</summary>
    private (Bound, Bound) Unify(Node node, Bound left, Bound right)
    {
        if (left.Type == right.Type || left.Type == ExprType.Null || right.Type == ExprType.Null) return (left, right);
        if (left.Type == ExprType.DateTime && right is BoundLiteral { Value: string text }) return (left, ToInstant(node, text));
        if (right.Type == ExprType.DateTime && left is BoundLiteral { Value: string text2 }) return (ToInstant(node, text2), right);
        var op = node is BinaryNode b ? $"'{b.Operator}'" : "'in'";
        return (Fail(node, $"{op} cannot compare {Name(left.Type)} with {Name(right.Type)}"), right);
    }

    private Bound ToInstant(Node node, string text)
    {
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (parsed.Success) return new BoundLiteral(ExprType.DateTime, parsed.Value.ToInstant());
        var date = LocalDatePattern.Iso.Parse(text);
        if (date.Success) return new BoundLiteral(ExprType.DateTime, date.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        return Fail(node, $"\"{text}\" is not a date-time; write it like \"2026-01-05T09:00:00Z\" or \"2026-01-05\"");
    }

    private void CheckChoice(Node literalNode, Bound field, Bound literal)
    {
        if (field is not BoundField { Type: ExprType.Text } f || literal is not BoundLiteral { Value: string value }) return;
        if (schema.Find(f.Name)?.Choices is { } choices && !choices.Contains(value))
            Errors.Add(new ExpressionError(literalNode.Position, $"\"{value}\" is not a choice of {f.Name} ({string.Join(", ", choices)})"));
    }

    private Bound BindIn(InNode node)
    {
        var operand = Bind(node.Operand);
        if (operand.Type == ExprType.Error) return operand;
        if (operand.Type == ExprType.TextList)
            return Fail(node, "'in' needs a single value on its left; use contains(list, value) for a list of users");
        var items = new List<Bound>();
        foreach (var itemNode in node.Items)
        {
            var item = Bind(itemNode);
            if (item.Type == ExprType.Error) return item;
            var (o, i) = Unify(itemNode, operand, item);
            if (o.Type == ExprType.Error || i.Type == ExprType.Error) return new BoundLiteral(ExprType.Error, null);
            CheckChoice(itemNode, operand, i);
            items.Add(i);
        }
        return new BoundIn(operand, items, node.Negated);
    }

    private Bound BindIs(IsNode node)
    {
        var operand = Bind(node.Operand);
        return operand.Type == ExprType.Error ? operand : new BoundIs(operand, node.Empty, node.Negated);
    }

    private Bound BindConditional(ConditionalNode node)
    {
        var condition = Condition(node.Condition, "the part before '?'");
        var whenTrue = Bind(node.WhenTrue);
        var whenFalse = Bind(node.WhenFalse);
        if (condition.Type == ExprType.Error || whenTrue.Type == ExprType.Error || whenFalse.Type == ExprType.Error)
            return new BoundLiteral(ExprType.Error, null);
        if (whenTrue.Type != whenFalse.Type && whenTrue.Type != ExprType.Null && whenFalse.Type != ExprType.Null)
            return Fail(node.WhenFalse, $"both branches of '? :' must have the same type, but one is {Name(whenTrue.Type)} and the other {Name(whenFalse.Type)}");
        var type = whenTrue.Type == ExprType.Null ? whenFalse.Type : whenTrue.Type;
        return new BoundConditional(type, condition, whenTrue, whenFalse);
    }

    private Bound BindCall(CallNode node)
    {
        var args = node.Arguments.Select(Bind).ToList();
        if (args.Any(a => a.Type == ExprType.Error)) return new BoundLiteral(ExprType.Error, null);
        switch (node.Function)
        {
            case "now":
                return args.Count == 0 ? new BoundCall(ExprType.DateTime, "now", args) : Fail(node, "now() takes no arguments");
            case "coalesce":
                if (args.Count == 0) return Fail(node, "coalesce(…) needs at least one argument");
                var type = args.Select(a => a.Type).FirstOrDefault(t => t != ExprType.Null, ExprType.Null);
                for (var i = 0; i < args.Count; i++)
                {
                    if (args[i].Type == ExprType.Null || args[i].Type == type) continue;
                    if (type == ExprType.DateTime && args[i] is BoundLiteral { Value: string s }) { args[i] = ToInstant(node.Arguments[i], s); continue; }
                    return Fail(node.Arguments[i], $"coalesce(…) arguments must have one type: this is {Name(args[i].Type)}, an earlier one {Name(type)}");
                }
                return new BoundCall(type, "coalesce", args);
            case "hoursBetween":
                if (args.Count != 2) return Fail(node, "hoursBetween(a, b) takes two date-times");
                for (var i = 0; i < 2; i++)
                {
                    if (args[i] is BoundLiteral { Value: string s }) args[i] = ToInstant(node.Arguments[i], s);
                    else if (args[i].Type is not (ExprType.DateTime or ExprType.Null))
                        return Fail(node.Arguments[i], $"hoursBetween(a, b) takes date-times, not {Name(args[i].Type)}");
                }
                return new BoundCall(ExprType.Number, "hoursBetween", args);
            case "contains":
                if (args.Count != 2) return Fail(node, "contains(list, value) takes two arguments");
                if (args[0].Type is not (ExprType.TextList or ExprType.Null))
                    return Fail(node.Arguments[0], $"contains(list, value) needs a list of users first, not {Name(args[0].Type)}");
                if (args[1].Type is not (ExprType.Text or ExprType.Null))
                    return Fail(node.Arguments[1], $"contains(list, value) needs text second, not {Name(args[1].Type)}");
                return new BoundCall(ExprType.Bool, "contains", args);
            default:
                return Fail(node, $"unknown function '{node.Function}'; known functions: now(), coalesce(…), hoursBetween(a, b), contains(list, value)");
        }
    }
}
