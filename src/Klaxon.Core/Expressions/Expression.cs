using NodaTime;

namespace Klaxon.Core.Expressions;

/// <summary>
/// One expression language for view filters, escalation predicates and rule limits (DESIGN.md,
/// "Expression language"). <see cref="Compile"/> parses and type-checks; errors carry positions.
/// </summary>
public sealed class CompiledExpression
{
    private readonly Evaluator.Eval eval;

    internal CompiledExpression(string text, Bound tree)
    {
        Text = text;
        Tree = tree;
        eval = Evaluator.Compile(tree);
    }

    public string Text { get; }

    /// <summary>The type-checked tree (for SQL translation and tooling).</summary>
    public Bound Tree { get; }

    public ExprType Type => Tree.Type;

    /// <summary>The value for one item at the given moment (<c>now()</c>).</summary>
    public object? Evaluate(IFieldValues item, Instant now) => eval(item, now);

    /// <summary>Whether the item satisfies this expression used as a filter (null counts as false).</summary>
    public bool Matches(IFieldValues item, Instant now) => Evaluator.IsTrue(eval(item, now));

    public override string ToString() => Text;
}

/// <summary>The outcome of <see cref="Expression.Compile"/>: an expression, or errors with positions.</summary>
public sealed record ExpressionResult(CompiledExpression? Expression, IReadOnlyList<ExpressionError> Errors)
{
    public bool Success => Expression is not null;

    /// <summary>The errors as diagnostics of one input field, e.g. <c>filter</c> or <c>rules[0].limit</c>.</summary>
    public IReadOnlyList<Diagnostic> ToDiagnostics(string field) => [.. Errors.Select(e => new Diagnostic(field, e.ToString()))];
}

public static class Expression
{
    /// <summary>
    /// Parses and checks <paramref name="text"/> against <paramref name="schema"/>. When <paramref name="expected"/>
    /// is given the result must have that type (null also fits). Never throws for bad input.
    /// </summary>
    public static ExpressionResult Compile(string? text, FieldSchema schema, ExprType? expected = null)
    {
        var (node, error) = Parser.Parse(text ?? "");
        if (error is not null) return new ExpressionResult(null, [error]);
        var binder = new Binder(schema);
        var tree = expected == ExprType.Bool ? binder.Condition(node!, "a filter") : binder.Bind(node!);
        if (binder.Errors.Count == 0 && expected is { } want && want != ExprType.Bool && tree.Type != want && tree.Type != ExprType.Null)
            binder.Errors.Add(new ExpressionError(Binder.StartOf(node!), $"the expression must be {Describe(want)}, but it is {Describe(tree.Type)}"));
        return binder.Errors.Count > 0
            ? new ExpressionResult(null, binder.Errors)
            : new ExpressionResult(new CompiledExpression(text!, tree), []);
    }

    /// <summary>Parses without checking names or types (syntax only).</summary>
    public static IReadOnlyList<ExpressionError> CheckSyntax(string? text)
    {
        var (_, error) = Parser.Parse(text ?? "");
        return error is null ? [] : [error];
    }

    internal static string Describe(ExprType type) => type switch
    {
        ExprType.Bool => "a condition (true or false)",
        ExprType.Number => "a number",
        ExprType.Text => "text",
        ExprType.DateTime => "a date-time",
        ExprType.Duration => "a duration",
        ExprType.TextList => "a list of users",
        ExprType.Null => "null",
        _ => "invalid",
    };
}
