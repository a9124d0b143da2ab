using Klaxon.Core.Expressions;
using NodaTime;

namespace Klaxon.Core.Tests.Expressions;

/// <summary>
/// Durations are whole milliseconds, the precision of stored instants, so the evaluator and the SQL translation
/// (which computes in milliseconds) agree: scaled durations and literals are cut toward zero.
/// </summary>
public class DurationPrecisionTests
{
    private static readonly FieldSchema Schema = FieldSchema.WithCustom([]);

    private static object? Eval(string text)
    {
        var result = Expression.Compile(text, Schema);
        Assert.True(result.Success, string.Join("; ", result.Errors));
        return result.Expression!.Evaluate(new DictionaryFieldValues(new Dictionary<string, object?>()), Instant.FromUtc(2026, 1, 5, 12, 0));
    }

    [Theory]
    [InlineData("1h / 7", 514_285)]
    [InlineData("-1h / 7", -514_285)]
    [InlineData("1s * 0.0015", 1)]
    [InlineData("0.0015 * 1s", 1)]
    [InlineData("1h * 1.5", 5_400_000)]
    [InlineData("0.0001s", 0)]
    [InlineData("514.2859s", 514_285)]
    [InlineData("2d / 3", 57_600_000)]
    public void ScaledDurationsAndLiterals_AreCutToWholeMillisecondsTowardZero(string text, long milliseconds) =>
        Assert.Equal(Duration.FromMilliseconds(milliseconds), Eval(text));

    [Fact]
    public void DividingADurationByZero_IsNull() => Assert.Null(Eval("4h / 0"));
}
