using System.Globalization;
using System.Text;

namespace Klaxon.Core.Expressions;

/// <summary>A place in an expression's text: 0-based offset, 1-based line and column.</summary>
public readonly record struct TextPosition(int Offset, int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>Something wrong with an expression, at a position: "line 1, column 14: expected ')' after '2'".</summary>
public sealed record ExpressionError(TextPosition Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}

internal enum TokenKind
{
    Number, Duration, String, Identifier, Keyword, Symbol, End,
}

internal readonly record struct Token(TokenKind Kind, string Text, TextPosition Position, object? Value = null)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsSymbol(string text) => Kind == TokenKind.Symbol && Text == text;

    public bool IsKeyword(string text) => Kind == TokenKind.Keyword && Text == text;

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.String => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits an expression into tokens; the first bad character is an error with its position.</summary>
internal static class Lexer
{
    private static readonly HashSet<string> Keywords = ["and", "or", "not", "in", "is", "empty", "null", "true", "false"];

    private static readonly string[] Symbols = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ",", "+", "-", "*", "/", "%", "?", ":", "."];

    public static (List<Token> Tokens, ExpressionError? Error) Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, column = 1;
        TextPosition Here() => new(i, line, column);
        void Advance(int n)
        {
            for (var k = 0; k < n; k++, i++)
            {
                if (text[i] == '\n') { line++; column = 1; } else column++;
            }
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { Advance(1); continue; }
            var start = Here();
            if (char.IsAsciiDigit(c))
            {
                var j = i;
                while (j < text.Length && char.IsAsciiDigit(text[j])) j++;
                if (j + 1 < text.Length && text[j] == '.' && char.IsAsciiDigit(text[j + 1]))
                {
                    j++;
                    while (j < text.Length && char.IsAsciiDigit(text[j])) j++;
                }
                var digits = text[i..j];
                if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || digits.Length > 20)
                    return (tokens, new ExpressionError(start, $"the number '{digits}' is too large"));
                if (j < text.Length && char.IsAsciiLetter(text[j]))
                {
                    var u = j;
                    while (u < text.Length && char.IsAsciiLetterOrDigit(text[u])) u++;
                    var unit = text[j..u];
                    var seconds = unit switch { "s" => 1m, "m" => 60m, "h" => 3600m, "d" => 86400m, "w" => 604800m, _ => -1m };
                    if (seconds < 0)
                        return (tokens, new ExpressionError(start, $"'{digits}{unit}' is not a duration; use a number followed by s, m, h, d or w (such as 4h or 30m)"));
                    var total = number * seconds;
                    if (total > 3_000_000_000_000m)
                        return (tokens, new ExpressionError(start, $"the duration '{digits}{unit}' is too long"));
                    // Whole milliseconds, the precision of stored instants (0.0001s is 0).
                    tokens.Add(new Token(TokenKind.Duration, text[i..u], start, NodaTime.Duration.FromMilliseconds((long)(total * 1000))));
                    Advance(u - i);
                    continue;
                }
                tokens.Add(new Token(TokenKind.Number, digits, start, number));
                Advance(j - i);
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var j = i;
                while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_')) j++;
                var word = text[i..j];
                tokens.Add(new Token(Keywords.Contains(word) ? TokenKind.Keyword : TokenKind.Identifier, word, start));
                Advance(j - i);
                continue;
            }
            if (c is '"' or '\'')
            {
                var sb = new StringBuilder();
                var j = i + 1;
                var closed = false;
                while (j < text.Length)
                {
                    if (text[j] == '\\' && j + 1 < text.Length && (text[j + 1] == c || text[j + 1] == '\\')) { sb.Append(text[j + 1]); j += 2; continue; }
                    if (text[j] == c) { closed = true; j++; break; }
                    if (text[j] == '\n') break;
                    sb.Append(text[j]);
                    j++;
                }
                if (!closed) return (tokens, new ExpressionError(start, $"the string starting here has no closing {c}"));
                tokens.Add(new Token(TokenKind.String, sb.ToString(), start, sb.ToString()));
                Advance(j - i);
                continue;
            }
            var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0);
            if (symbol is null)
                return (tokens, new ExpressionError(start, $"unexpected character '{c}'"));
            tokens.Add(new Token(TokenKind.Symbol, symbol, start));
            Advance(symbol.Length);
        }
        tokens.Add(new Token(TokenKind.End, "", Here()));
        return (tokens, null);
    }
}
