namespace Klaxon.Core.Tests;

public sealed class DiagnosticTests
{
    [Theory]
    [InlineData("weeklyHours[0].hours", "is wrong.", "weeklyHours[0].hours: is wrong.")]
    [InlineData("", "Nothing fits.", "Nothing fits.")]
    public void ToString_FieldAndMessage_ReadsAsOneLine(string field, string message, string expected)
    {
        Assert.Equal(expected, new Diagnostic(field, message).ToString());
    }

    [Fact]
    public void Value_OfAFailure_ThrowsWithTheDiagnostics()
    {
        var result = ParseResult<int>.Fail("name", "is required.");

        Assert.False(result.Success);
        Assert.Contains("name: is required.", Assert.Throws<InvalidOperationException>(() => result.Value).Message);
    }

    [Fact]
    public void Ok_Value_IsReturnedWithoutDiagnostics()
    {
        var result = ParseResult<string>.Ok("x");

        Assert.True(result.Success);
        Assert.Equal("x", result.Value);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Fail_WithoutDiagnostics_IsAProgrammerError()
    {
        Assert.Throws<ArgumentException>(() => ParseResult<int>.Fail([]));
    }
}
