using System.Text.Json;
using System.Text.RegularExpressions;
using Klaxon.Core.Calendars;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Infrastructure;

/// <summary>
/// The one place where failures become RFC 9457 problem details: refused requests, unreadable or missing
/// bodies, calendars that never work, concurrent changes. Anything else is left to the default 500 answer.
/// </summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (ToProblem(exception) is not { } problem) return false;
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Gives the answers ASP.NET Core writes itself (no route, wrong method or media type) a detail too.</summary>
    public static void Explain(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Detail is not null) return;
        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound => $"There is nothing at {request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not accept {request.Method}.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with the header Content-Type: application/json.",
            _ => null,
        };
    }

    public static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        ProblemException refused => FromRefusal(refused),
        BadHttpRequestException { InnerException: JsonException json } => FromJson(json),
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "The request is not valid.", Detail = DescribeBadRequest(bad) },
        CalendarNeverWorksException never => new ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The calendar has no working time to answer with.",
            Detail = never.Message,
        },
        DbUpdateConcurrencyException => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Conflict.",
            Detail = "The resource was changed by another request at the same time; read it again and retry.",
        },
        _ => null,
    };

    private static ProblemDetails FromRefusal(ProblemException refused)
    {
        var problem = refused.Errors.Count > 0
            ? new HttpValidationProblemDetails(refused.Errors
                .GroupBy(e => e.Field.Length == 0 ? "body" : e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
            : new ProblemDetails();
        problem.Status = refused.Status;
        problem.Title = refused.Title;
        problem.Detail = refused.Message;
        return problem;
    }

    private static HttpValidationProblemDetails FromJson(JsonException json)
    {
        var field = json.Path is null or "$" ? "body" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path;
        var message = DescribeJsonError(json.Message);
        var where = json.LineNumber is { } line && json.BytePositionInLine is { } position ? $" (line {line + 1}, position {position + 1})" : "";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is not valid JSON for this request.",
            Detail = $"{field}: {message.TrimEnd('.')}{where}.",
        };
    }

    private static string DescribeJsonError(string message)
    {
        var text = PathSuffix().Replace(message, "");
        if (Unmapped().Match(text) is { Success: true } unmapped)
            return $"'{unmapped.Groups["name"].Value}' is not a known property.";
        if (Unconvertible().Match(text) is { Success: true } wrongType)
            return $"expected {Describe(wrongType.Groups["type"].Value)}.";
        return text;
    }

    private static string Describe(string clrType) => clrType switch
    {
        _ when clrType.Contains("List`1") || clrType.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ when clrType.Contains("System.String") => "a string",
        _ when clrType.Contains("System.Int") || clrType.Contains("System.Double") || clrType.Contains("System.Decimal") => "a number",
        _ when clrType.Contains("System.Boolean") => "true or false",
        _ => "an object",
    };

    private static string DescribeBadRequest(BadHttpRequestException bad) =>
        bad.StatusCode == StatusCodes.Status400BadRequest && bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? "The request body is missing; send a JSON document with Content-Type: application/json."
            : bad.Message;

    [GeneratedRegex(@"\s*Path: .*$", RegexOptions.Singleline)]
    private static partial Regex PathSuffix();

    [GeneratedRegex(@"^The JSON property '(?<name>.*)' could not be mapped")]
    private static partial Regex Unmapped();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>\S+?)\.?$")]
    private static partial Regex Unconvertible();
}
