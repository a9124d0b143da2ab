using Klaxon.Core;

namespace Klaxon.Infrastructure;

/// <summary>
/// A request Klaxon refuses, with the HTTP status that says why and, for invalid input, a diagnostic per
/// field. Handlers throw it; <see cref="ProblemMapping"/> turns it into problem details and the CLI into a
/// message and a non-zero exit code.
/// </summary>
public sealed class ProblemException : Exception
{
    private ProblemException(int status, string title, string detail, IReadOnlyList<Diagnostic> errors) : base(detail)
    {
        Status = status;
        Title = title;
        Errors = errors;
    }

    public int Status { get; }

    public string Title { get; }

    /// <summary>What is wrong, field by field (empty unless the input was invalid).</summary>
    public IReadOnlyList<Diagnostic> Errors { get; }

    public static ProblemException Invalid(IReadOnlyList<Diagnostic> errors) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid.", Describe(errors), errors);

    public static ProblemException Invalid(string field, string message) => Invalid([new Diagnostic(field, message)]);

    public static ProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden.", detail, []);

    public static ProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found.", detail, []);

    public static ProblemException Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict.", detail, []);

    public static ProblemException PreconditionFailed(string detail) => new(StatusCodes.Status412PreconditionFailed, "Precondition failed.", detail, []);

    public static ProblemException Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "The request cannot be carried out.", detail, []);

    /// <summary>A problem as another Klaxon process reported it (the CLI talking to a server).</summary>
    public static ProblemException Reported(int status, string? title, string? detail, IReadOnlyList<Diagnostic> errors) =>
        new(status, title ?? $"HTTP {status}", detail ?? (errors.Count > 0 ? Describe(errors) : title ?? $"The server answered HTTP {status}."), errors);

    public static void ThrowIfAny(IReadOnlyList<Diagnostic> errors)
    {
        if (errors.Count > 0) throw Invalid(errors);
    }

    private static string Describe(IReadOnlyList<Diagnostic> errors) => string.Join(" ", errors.Select(e => e.ToString()));
}

public static class ParseResultExtensions
{
    /// <summary>The value, or <c>default</c> after adding the diagnostics to <paramref name="errors"/>.</summary>
    public static T? OrCollect<T>(this ParseResult<T> result, List<Diagnostic> errors)
    {
        if (result.Success) return result.Value;
        errors.AddRange(result.Diagnostics);
        return default;
    }
}
