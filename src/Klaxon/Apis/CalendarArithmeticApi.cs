using System.ComponentModel;
using Klaxon.Core.Calendars;
using Klaxon.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Klaxon.Apis;

/// <summary>
/// Working-time arithmetic on a calendar. Instants are ISO-8601 with an offset (<c>2026-03-27T15:00:00Z</c>,
/// <c>2026-03-27T16:00:00+01:00</c>, with the '+' escaped as %2B in a query string) and come back in UTC;
/// durations are ISO-8601 (<c>PT4H</c>, <c>-PT30M</c>, <c>PT2000H</c>; a day is 24 hours, years and months are refused).
/// </summary>
public static class CalendarArithmeticApi
{
    private const string InstantText = "An instant with an offset, such as 2026-03-27T15:00:00Z.";

    public static RouteGroupBuilder MapCalendarArithmeticApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/calendars/{id}").WithTags("Working time")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/add", Add)
            .WithSummary("The instant at which an amount of working time, or a number of working days, has elapsed.")
            .WithDescription("Give exactly one of 'duration' (working time; negative goes backwards; a sum ending exactly at the end of " +
                "working hours returns that end) and 'days' (working days: the same local time of day on the n-th following working " +
                "day, clamped to that day's last working instant).");
        api.MapGet("/between", Between)
            .WithSummary("Working time in [from, to); negative when 'to' is before 'from'.");
        api.MapGet("/intervals", Intervals)
            .WithSummary($"The working intervals within [from, to), as instants and as local times; at most {CalendarQuestions.MaxListedDays} days.");
        api.MapGet("/days", Days)
            .WithSummary($"Each date's working hours, the rule that gave them and the calendar that holds it; at most {CalendarQuestions.MaxListedDays} dates.");
        return api;
    }

    public static Ok<AddAnswer> Add(
        string id,
        CalendarCatalog catalog,
        [Description(InstantText)] string? from = null,
        [Description("Working time to add, ISO-8601, such as PT4H or -PT30M (a day is 24 hours).")] string? duration = null,
        [Description("Working days to add instead of a duration, such as 3 or -2.")] string? days = null) =>
        TypedResults.Ok(CalendarQuestions.Add(catalog, id, from, duration, days));

    public static Ok<BetweenAnswer> Between(
        string id, CalendarCatalog catalog, [Description(InstantText)] string? from = null, [Description(InstantText)] string? to = null) =>
        TypedResults.Ok(CalendarQuestions.Between(catalog, id, from, to));

    public static Ok<IntervalsAnswer> Intervals(
        string id, CalendarCatalog catalog, [Description(InstantText)] string? from = null, [Description(InstantText)] string? to = null) =>
        TypedResults.Ok(CalendarQuestions.Intervals(catalog, id, from, to));

    public static Ok<DaysAnswer> Days(
        string id,
        CalendarCatalog catalog,
        [Description("The first date, such as 2026-12-01.")] string? from = null,
        [Description("The last date (inclusive), such as 2026-12-31.")] string? to = null) =>
        TypedResults.Ok(CalendarQuestions.Days(catalog, id, from, to));
}
