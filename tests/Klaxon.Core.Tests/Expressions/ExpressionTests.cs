using Klaxon.Core.Expressions;
using NodaTime;

namespace Klaxon.Core.Tests.Expressions;

public class ExpressionTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 1, 5, 12, 0);

    private static readonly FieldSchema Schema = FieldSchema.WithCustom(
    [
        new FieldInfo("region", ExprType.Text, ["EMEA", "APAC"]),
        new FieldInfo("cost", ExprType.Number),
        new FieldInfo("due", ExprType.DateTime),
        new FieldInfo("vip", ExprType.Bool),
    ]);

    private static object? Eval(string text, params (string Field, object? Value)[] values)
    {
        var result = Expression.Compile(text, Schema);
        Assert.True(result.Success, string.Join("; ", result.Errors));
        return result.Expression!.Evaluate(new DictionaryFieldValues(values.ToDictionary(v => v.Field, v => v.Value)), Now);
    }

    private static string Error(string text, ExprType? expected = null)
    {
        var result = Expression.Compile(text, Schema, expected);
        Assert.False(result.Success, $"'{text}' should not compile");
        return result.Errors[0].ToString();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 4)]
    [InlineData(5, 4)]
    public void SeedLimitFormula_AsWritten_GivesOneForHighPrioritiesAndFourOtherwise(int priority, int expected)
    {
        var result = Expression.Compile("(priority == 1 or priority == 2) ? 1 : 4", Schema, ExprType.Number);
        Assert.True(result.Success);
        var value = result.Expression!.Evaluate(new DictionaryFieldValues(new Dictionary<string, object?> { ["priority"] = (decimal)priority }), Now);
        Assert.Equal((decimal)expected, value);
    }

    [Fact]
    public void SeedLimitFormula_WithoutPriority_GivesFour() =>
        Assert.Equal(4m, Eval("(priority == 1 or priority == 2) ? 1 : 4"));

    [Theory]
    [InlineData("(priority == 1 or priority == 2 ? 1 : 4", "line 1, column 40: expected ')' after '4'")]
    [InlineData("priority ==", "line 1, column 12: expected a value after '=='")]
    [InlineData("priority == 1 and\n  (status", "line 2, column 10: expected ')' after 'status'")]
    [InlineData("status in (\"New\" \"Open\")", "line 1, column 18: expected ')' after \"New\"")]
    [InlineData("\"open", "line 1, column 1: the string starting here has no closing \"")]
    [InlineData("priority # 2", "line 1, column 10: unexpected character '#'")]
    [InlineData("", "line 1, column 1: the expression is empty")]
    [InlineData("priority is 3", "line 1, column 13: expected 'empty' or 'null' after 'is'")]
    [InlineData("4x", "line 1, column 1: '4x' is not a duration; use a number followed by s, m, h, d or w (such as 4h or 30m)")]
    [InlineData("priority 2", "line 1, column 10: unexpected '2' after 'priority'")]
    public void SyntaxErrors_NameThePositionAndWhatWasExpected(string text, string message) =>
        Assert.Equal(message, Error(text));

    [Theory]
    [InlineData("prio == 1", "line 1, column 1: unknown field 'prio'")]
    [InlineData("priority == \"high\"", "line 1, column 10: '==' cannot compare a number with text")]
    [InlineData("fields.region == \"MARS\"", "line 1, column 18: \"MARS\" is not a choice of fields.region (EMEA, APAC)")]
    [InlineData("status and priority", "line 1, column 1: the left side of 'and' must be a condition")]
    [InlineData("summary + 1", "line 1, column 9: '+' cannot combine text and a number")]
    [InlineData("assignedTo == \"ann\"", "line 1, column 12: '==' cannot compare a list of users with text")]
    [InlineData("frobnicate(1)", "line 1, column 1: unknown function 'frobnicate'")]
    [InlineData("submittedAt < \"yesterday\"", "line 1, column 13: \"yesterday\" is not a date-time")]
    [InlineData("priority > 1 ? 1 : \"x\"", "line 1, column 20: both branches of '? :' must have the same type")]
    [InlineData("fields.nope is empty", "line 1, column 1: unknown field 'fields.nope'")]
    public void TypeAndNameErrors_AreReportedBeforeAnythingRuns(string text, string prefix) =>
        Assert.StartsWith(prefix, Error(text));

    [Fact]
    public void AFilterMustBeACondition() =>
        Assert.Equal("line 1, column 1: a filter must be a condition (true or false), but this is a number", Error("priority + 1", ExprType.Bool));

    [Fact]
    public void ALimitMustBeANumber() =>
        Assert.Equal("line 1, column 1: the expression must be a number, but it is text", Error("status", ExprType.Number));

    [Theory]
    [InlineData("status in (\"New\", null)", null, true)]
    [InlineData("status in (\"New\", null)", "New", true)]
    [InlineData("status in (\"New\", null)", "Open", false)]
    [InlineData("status not in (\"New\", null)", "Open", true)]
    [InlineData("status == null", null, true)]
    [InlineData("status != null", null, false)]
    [InlineData("status is empty", "", true)]
    [InlineData("status is null", "", false)]
    [InlineData("status is not empty", "x", true)]
    [InlineData("status < \"B\"", "A", true)]
    [InlineData("status < \"B\"", null, false)]
    [InlineData("not (status < \"B\")", null, true)]
    public void TextAndNull_FollowTwoValuedRules(string text, string? status, bool expected) =>
        Assert.Equal(expected, Eval(text, ("status", status)));

    [Theory]
    [InlineData("priority <= 2", null, false)]
    [InlineData("not (priority <= 2)", null, true)]
    [InlineData("priority + 1 == null", null, true)]
    [InlineData("priority / 0 == null", 3, true)]
    [InlineData("priority % 2 == 1", 3, true)]
    [InlineData("-priority < 0", 3, true)]
    [InlineData("priority * 2 - 1 == 5", 3, true)]
    [InlineData("priority / 2 == 1.5", 3, true)]
    [InlineData("coalesce(priority, 9) == 9", null, true)]
    [InlineData("priority > 1 && priority < 5 || priority == 9", 3, true)]
    [InlineData("!(priority == 3)", 3, false)]
    public void Numbers_FollowTwoValuedRules(string text, int? priority, bool expected) =>
        Assert.Equal(expected, Eval(text, ("priority", priority is null ? null : (decimal)priority)));

    [Fact]
    public void DateTimes_CompareWithTextLiteralsDurationsAndNow()
    {
        var submitted = Instant.FromUtc(2026, 1, 5, 7, 0);
        Assert.Equal(true, Eval("submittedAt < \"2026-01-05T08:00:00Z\"", ("submittedAt", submitted)));
        Assert.Equal(true, Eval("submittedAt >= \"2026-01-05\"", ("submittedAt", submitted)));
        Assert.Equal(true, Eval("now() - submittedAt > 4h", ("submittedAt", submitted)));
        Assert.Equal(false, Eval("now() - submittedAt > 5h", ("submittedAt", submitted)));
        Assert.Equal(true, Eval("submittedAt + 30m == \"2026-01-05T07:30:00+00:00\"", ("submittedAt", submitted)));
        Assert.Equal(5m, Eval("hoursBetween(submittedAt, now())", ("submittedAt", submitted)));
        Assert.Equal(Duration.FromHours(10), Eval("(now() - submittedAt) * 2", ("submittedAt", submitted)));
        Assert.Equal(false, Eval("submittedAt < now()", ("submittedAt", null)));
    }

    [Fact]
    public void ListsOfUsers_SupportEmptinessAndContains()
    {
        IReadOnlyList<string> team = ["ann", "bob"];
        Assert.Equal(true, Eval("contains(assignedTo, \"bob\")", ("assignedTo", team)));
        Assert.Equal(false, Eval("contains(assignedTo, \"eve\")", ("assignedTo", team)));
        Assert.Equal(false, Eval("assignedTo is empty", ("assignedTo", team)));
        Assert.Equal(true, Eval("assignedTo is empty", ("assignedTo", (IReadOnlyList<string>)[])));
        Assert.Equal(true, Eval("supervisors is empty"));
    }

    [Fact]
    public void CustomFields_AreReferredToWithTheFieldsPrefix()
    {
        Assert.Equal(true, Eval("fields.region == \"EMEA\" and fields.cost > 10", ("fields.region", "EMEA"), ("fields.cost", 12m)));
        Assert.Null(Eval("fields.vip"));
        var filter = Expression.Compile("fields.vip", Schema, ExprType.Bool).Expression!;
        Assert.False(filter.Matches(new DictionaryFieldValues(new Dictionary<string, object?>()), Now));
        Assert.True(filter.Matches(new DictionaryFieldValues(new Dictionary<string, object?> { ["fields.vip"] = true }), Now));
        Assert.Equal(true, Eval("not fields.vip"));
        Assert.Equal(true, Eval("fields.vip == null"));
    }

    [Fact]
    public void Keywords_AreCaseSensitiveAndSymbolsAreEquivalent()
    {
        Assert.Equal(Eval("priority == 1 and status == \"New\"", ("priority", 1m), ("status", "New")),
            Eval("priority == 1 && status == \"New\"", ("priority", 1m), ("status", "New")));
        Assert.Equal(true, Eval("'single' == \"single\""));
    }

    [Fact]
    public void DeepNesting_IsADiagnosticNotACrash()
    {
        var text = new string('(', 5000) + "1" + new string(')', 5000);
        Assert.Contains("nested more than", Error(text));
    }
}
