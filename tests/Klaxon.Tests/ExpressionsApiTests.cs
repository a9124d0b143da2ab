using System.Net;
using System.Text.Json;

namespace Klaxon.Tests;

public sealed class ExpressionsApiTests : IAsyncLifetime
{
    private ListingProject project = null!;

    public async Task InitializeAsync() => project = await ListingProject.StartAsync();

    public async Task DisposeAsync() => await project.DisposeAsync();

    private static string Body(string expression, string tracker = "INC", string? expect = null) =>
        JsonSerializer.Serialize(new Dictionary<string, string?> { ["expression"] = expression, ["tracker"] = tracker, ["expect"] = expect }
            .Where(p => p.Value is not null).ToDictionary());

    private async Task<string> CheckAsync(string expression, string? expect = null)
    {
        using var response = await project.Ann.PostJsonAsync("/api/v1/expressions/check", Body(expression, expect: expect));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

    [Theory]
    [InlineData("status in (\"New\", null) and priority <= 2", "condition", "condition")]
    [InlineData("(priority == 1 or priority == 2) ? 1 : 4", "number", "number")]
    [InlineData("now() - submittedAt", null, "duration")]
    [InlineData("fields.due + 4h", null, "datetime")]
    [InlineData("coalesce(fields.region, \"EMEA\")", null, "text")]
    [InlineData("assignedTo", null, "users")]
    [InlineData("fields.vip and fields.cost > 10", "condition", "condition")]
    public async Task Check_AValidExpression_AnswersValidWithItsType(string expression, string? expect, string type) =>
        Http.AssertSameJson($$"""{"valid":true,"type":"{{type}}"}""", JsonDocumentOf(await CheckAsync(expression, expect)));

    [Theory]
    [InlineData("(priority == 1 or priority == 2 ? 1 : 4", 1, 40, 39, "expected ')' after '4'")]
    [InlineData("(priority < 2", 1, 14, 13, "expected ')' after '2'")]
    [InlineData("priority == 1 and\n  (status", 2, 10, 27, "expected ')' after 'status'")]
    [InlineData("priority # 2", 1, 10, 9, "unexpected character '#'")]
    [InlineData("", 1, 1, 0, "the expression is empty")]
    public async Task Check_ASyntaxError_Answers200WithItsPosition(string expression, int line, int column, int offset, string message) =>
        Http.AssertSameJson(
            $$"""{"valid":false,"errors":[{"line":{{line}},"column":{{column}},"offset":{{offset}},"message":{{JsonSerializer.Serialize(message)}}}]}""",
            JsonDocumentOf(await CheckAsync(expression, "condition")));

    [Theory]
    [InlineData("priority == \"high\"", "condition", 10, "'==' cannot compare a number with text")]
    [InlineData("fields.region == \"MARS\"", "condition", 18, "\"MARS\" is not a choice of fields.region (EMEA, APAC)")]
    [InlineData("priority + 1", "condition", 1, "a filter must be a condition (true or false), but this is a number")]
    [InlineData("status", "number", 1, "the expression must be a number, but it is text")]
    [InlineData("submittedAt < \"yesterday\"", null, 13, "\"yesterday\" is not a date-time")]
    public async Task Check_ATypeError_Answers200WithItsPosition(string expression, string? expect, int column, string message)
    {
        var answer = JsonDocumentOf(await CheckAsync(expression, expect));

        Assert.False((bool)answer["valid"]!);
        var error = answer["errors"]!.AsArray().Single()!;
        Assert.Equal(1, (int)error["line"]!);
        Assert.Equal(column, (int)error["column"]!);
        Assert.Equal(column - 1, (int)error["offset"]!);
        Assert.StartsWith(message, (string)error["message"]!);
    }

    [Theory]
    [InlineData("prio == 1", 1, "unknown field 'prio'; known fields: ")]
    [InlineData("priority > 1 and fields.nope is empty", 18, "unknown field 'fields.nope'")]
    public async Task Check_AnUnknownField_NamesItAndTheKnownOnes(string expression, int column, string message)
    {
        var error = JsonDocumentOf(await CheckAsync(expression))["errors"]!.AsArray().Single()!;

        Assert.Equal(column, (int)error["column"]!);
        Assert.StartsWith(message, (string)error["message"]!);
        Assert.Contains("fields.region", (string)error["message"]!);
    }

    [Fact]
    public async Task Check_FieldsOfAnotherTracker_AreUnknown()
    {
        using var response = await project.Ann.PostJsonAsync("/api/v1/expressions/check", Body("fields.region == \"EMEA\"", tracker: "BUG"));

        var answer = await response.ReadJsonAsync();
        Assert.False((bool)answer["valid"]!);
        Assert.StartsWith("unknown field 'fields.region'", (string)answer["errors"]![0]!["message"]!);
    }

    [Fact]
    public async Task Check_AnUnknownTracker_Is404()
    {
        using var response = await project.Ann.PostJsonAsync("/api/v1/expressions/check", Body("priority == 1", tracker: "NOPE"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("NOPE", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Theory]
    [InlineData("""{"expression":"priority == 1"}""", "tracker")]
    [InlineData("""{"expression":"priority == 1","tracker":"INC","expect":"boolean"}""", "expect")]
    [InlineData("""{"expression":"priority == 1","tracker":"INC","expected":"number"}""", "expected")]
    public async Task Check_ARequestWithoutTrackerOrWithAWrongProperty_Is400(string body, string field)
    {
        using var response = await project.Ann.PostJsonAsync("/api/v1/expressions/check", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (string)(await response.ReadJsonAsync())["detail"]!);
    }

    [Fact]
    public async Task Check_WithoutToken_Is401()
    {
        using var response = await project.Anonymous.PostJsonAsync("/api/v1/expressions/check", Body("priority == 1"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Check_ByAUserWhoMayNotViewTheTrackersProject_Is403()
    {
        using var response = await project.Eve.PostJsonAsync("/api/v1/expressions/check", Body("priority == 1"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("items.view", (string)(await response.ReadJsonAsync())["detail"]!);
    }

    private static System.Text.Json.Nodes.JsonNode JsonDocumentOf(string body) => System.Text.Json.Nodes.JsonNode.Parse(body)!;
}
