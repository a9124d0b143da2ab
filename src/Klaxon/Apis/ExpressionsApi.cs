using Klaxon.Core.Expressions;
using Klaxon.Core.Tracking;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Klaxon.Apis;

/// <summary>
/// Checks an expression against a tracker's fields without storing anything: the UI and clients call it as
/// someone types. A wrong expression is a normal answer (200 with positioned errors), not a failed request.
/// </summary>
public static class ExpressionsApi
{
    public static RouteGroupBuilder MapExpressionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/expressions").WithTags("Expressions");
        api.MapPost("/check", Check)
            .WithSummary("Parses and type-checks an expression against a tracker's fields; 200 with the type, or with positioned errors.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<ExpressionCheckAnswer>> Check(
        ExpressionCheckRequest request, KlaxonDbContext db, Access access, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Tracker))
            throw ProblemException.Invalid("tracker", "is required: the key of the tracker whose fields the expression names, such as INC.");
        ExprType? expected = request.Expect?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "condition" => ExprType.Bool,
            "number" => ExprType.Number,
            "text" => ExprType.Text,
            "datetime" => ExprType.DateTime,
            "duration" => ExprType.Duration,
            _ => throw ProblemException.Invalid("expect", $"'{request.Expect}' is not a kind of expression; use condition, number, text, datetime or duration."),
        };
        var row = await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == request.Tracker, cancellationToken)
            ?? throw ProblemException.NotFound($"There is no tracker '{request.Tracker}'.");
        await access.RequireAsync(row.ProjectKey, Permissions.ViewItems, cancellationToken);

        var result = Expression.Compile(request.Expression, TrackerStorage.Read(row).Schema, expected);
        return TypedResults.Ok(result.Success
            ? new ExpressionCheckAnswer(true, TypeName(result.Expression!.Type), null)
            : new ExpressionCheckAnswer(false, null, [.. result.Errors.Select(e => new ExpressionErrorAnswer(e.Position.Line, e.Position.Column, e.Position.Offset, e.Message))]));
    }

    public static string TypeName(ExprType type) => type switch
    {
        ExprType.Bool => "condition",
        ExprType.Number => "number",
        ExprType.Text => "text",
        ExprType.DateTime => "datetime",
        ExprType.Duration => "duration",
        ExprType.TextList => "users",
        _ => "null",
    };
}
