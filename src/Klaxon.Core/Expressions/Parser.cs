namespace Klaxon.Core.Expressions;

/// <summary>
/// Recursive-descent parser. Precedence, loosest first: <c>? :</c>, <c>or ||</c>, <c>and &amp;&amp;</c>,
/// <c>not !</c>, comparisons / <c>in</c> / <c>is</c>, <c>+ -</c>, <c>* / %</c>, unary minus.
/// Never throws on bad input: every failure is an <see cref="ExpressionError"/> with a position.
/// </summary>
internal sealed class Parser
{
    private const int MaxDepth = 200;
    private readonly List<Token> tokens;
    private int index;
    private int depth;

    private Parser(List<Token> tokens) => this.tokens = tokens;

    public static (Node? Node, ExpressionError? Error) Parse(string text)
    {
        var (tokens, lexError) = Lexer.Tokenize(text);
        if (lexError is not null) return (null, lexError);
        if (tokens.Count == 1) return (null, new ExpressionError(tokens[0].Position, "the expression is empty"));
        var parser = new Parser(tokens);
        try
        {
            var node = parser.ParseExpression();
            if (parser.Current.Kind != TokenKind.End)
                return (null, parser.Error($"unexpected {parser.Current.Describe()} after {parser.Previous.Describe()}"));
            return (node, null);
        }
        catch (ParseFailure failure)
        {
            return (null, failure.Error);
        }
    }

    private sealed class ParseFailure(ExpressionError error) : Exception(error.ToString())
    {
        public ExpressionError Error { get; } = error;
    }

    private Token Current => tokens[index];

    private Token Previous => tokens[Math.Max(0, index - 1)];

    private ExpressionError Error(string message) => new(Current.Position, message);

    private Token Next() => tokens[index++];

    private bool AcceptSymbol(string symbol)
    {
        if (!Current.IsSymbol(symbol)) return false;
        index++;
        return true;
    }

    private bool AcceptKeyword(string keyword)
    {
        if (!Current.IsKeyword(keyword)) return false;
        index++;
        return true;
    }

    private void ExpectSymbol(string symbol)
    {
        if (!AcceptSymbol(symbol))
            throw new ParseFailure(Error($"expected '{symbol}' after {Previous.Describe()}"));
    }

    private Node ParseExpression()
    {
        if (++depth > MaxDepth) throw new ParseFailure(Error($"the expression is nested more than {MaxDepth} levels deep"));
        try
        {
            var condition = ParseOr();
            if (!Current.IsSymbol("?")) return condition;
            var position = Next().Position;
            var whenTrue = ParseExpression();
            ExpectSymbol(":");
            var whenFalse = ParseExpression();
            return new ConditionalNode(position, condition, whenTrue, whenFalse);
        }
        finally
        {
            depth--;
        }
    }

    private Node ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsKeyword("or") || Current.IsSymbol("||"))
        {
            var position = Next().Position;
            left = new BinaryNode(position, "or", left, ParseAnd());
        }
        return left;
    }

    private Node ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsKeyword("and") || Current.IsSymbol("&&"))
        {
            var position = Next().Position;
            left = new BinaryNode(position, "and", left, ParseNot());
        }
        return left;
    }

    private Node ParseNot()
    {
        if (Current.IsKeyword("not") || Current.IsSymbol("!"))
        {
            var position = Next().Position;
            if (++depth > MaxDepth) throw new ParseFailure(Error($"the expression is nested more than {MaxDepth} levels deep"));
            try
            {
                return new UnaryNode(position, "not", ParseNot());
            }
            finally
            {
                depth--;
            }
        }
        return ParseComparison();
    }

    private static readonly string[] ComparisonOperators = ["==", "!=", "<", "<=", ">", ">="];

    private Node ParseComparison()
    {
        var left = ParseAdditive();
        var current = Current;
        if (current.Kind == TokenKind.Symbol && ComparisonOperators.Contains(current.Text))
        {
            index++;
            return new BinaryNode(current.Position, current.Text, left, ParseAdditive());
        }
        if (current.IsKeyword("in") || (current.IsKeyword("not") && tokens[index + 1].IsKeyword("in")))
        {
            var negated = AcceptKeyword("not");
            index++; // 'in'
            ExpectSymbol("(");
            var items = new List<Node>();
            if (!Current.IsSymbol(")"))
            {
                do items.Add(ParseExpression());
                while (AcceptSymbol(","));
            }
            ExpectSymbol(")");
            return new InNode(current.Position, left, items, negated);
        }
        if (current.IsKeyword("is"))
        {
            index++;
            var negated = AcceptKeyword("not");
            if (AcceptKeyword("empty")) return new IsNode(current.Position, left, Empty: true, negated);
            if (AcceptKeyword("null")) return new IsNode(current.Position, left, Empty: false, negated);
            throw new ParseFailure(Error($"expected 'empty' or 'null' after {Previous.Describe()}"));
        }
        return left;
    }

    private Node ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.IsSymbol("+") || Current.IsSymbol("-"))
        {
            var op = Next();
            left = new BinaryNode(op.Position, op.Text, left, ParseMultiplicative());
        }
        return left;
    }

    private Node ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.IsSymbol("*") || Current.IsSymbol("/") || Current.IsSymbol("%"))
        {
            var op = Next();
            left = new BinaryNode(op.Position, op.Text, left, ParseUnary());
        }
        return left;
    }

    private Node ParseUnary()
    {
        if (Current.IsSymbol("-"))
        {
            var position = Next().Position;
            if (++depth > MaxDepth) throw new ParseFailure(Error($"the expression is nested more than {MaxDepth} levels deep"));
            try
            {
                return new UnaryNode(position, "-", ParseUnary());
            }
            finally
            {
                depth--;
            }
        }
        return ParsePrimary();
    }

    private Node ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
            case TokenKind.Duration:
            case TokenKind.String:
                index++;
                return new LiteralNode(token.Position, token.Value);
            case TokenKind.Keyword when token.Text is "true" or "false":
                index++;
                return new LiteralNode(token.Position, token.Text == "true");
            case TokenKind.Keyword when token.Text == "null":
                index++;
                return new LiteralNode(token.Position, null);
            case TokenKind.Identifier:
                index++;
                if (AcceptSymbol("("))
                {
                    var arguments = new List<Node>();
                    if (!Current.IsSymbol(")"))
                    {
                        do arguments.Add(ParseExpression());
                        while (AcceptSymbol(","));
                    }
                    ExpectSymbol(")");
                    return new CallNode(token.Position, token.Text, arguments);
                }
                var name = token.Text;
                while (AcceptSymbol("."))
                {
                    if (Current.Kind != TokenKind.Identifier && Current.Kind != TokenKind.Keyword)
                        throw new ParseFailure(Error($"expected a field name after '{name}.'"));
                    name += "." + Next().Text;
                }
                return new FieldNode(token.Position, name);
            case TokenKind.Symbol when token.Text == "(":
                index++;
                var inner = ParseExpression();
                ExpectSymbol(")");
                return inner;
            case TokenKind.End:
                throw new ParseFailure(Error(index == 0 ? "the expression is empty" : $"expected a value after {Previous.Describe()}"));
            default:
                throw new ParseFailure(Error(index == 0 ? $"expected a value, not {token.Describe()}" : $"expected a value after {Previous.Describe()}, not {token.Describe()}"));
        }
    }
}
