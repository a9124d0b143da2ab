namespace Klaxon.Core;

/// <summary>
/// One thing wrong with user input: the field (a JSON-path-like name such as
/// <c>weeklyHours[0].hours</c>, or empty when it concerns the whole input) and a sentence
/// saying what is wrong.
/// </summary>
public sealed record Diagnostic(string Field, string Message)
{
    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";
}

/// <summary>
/// The result of reading user input: either a value or at least one diagnostic, never both.
/// </summary>
public sealed class ParseResult<T>
{
    private readonly T? value;

    private ParseResult(T? value, IReadOnlyList<Diagnostic> diagnostics)
    {
        this.value = value;
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public bool Success => Diagnostics.Count == 0;

    /// <summary>The value; throws when parsing failed (a programmer error: check <see cref="Success"/>).</summary>
    public T Value => Success ? value! : throw new InvalidOperationException("No value: " + string.Join("; ", Diagnostics));

    public static ParseResult<T> Ok(T value) => new(value, []);

    public static ParseResult<T> Fail(IReadOnlyList<Diagnostic> diagnostics)
    {
        if (diagnostics.Count == 0) throw new ArgumentException("A failure needs at least one diagnostic.", nameof(diagnostics));
        return new(default, diagnostics);
    }

    public static ParseResult<T> Fail(string field, string message) => Fail([new Diagnostic(field, message)]);
}
