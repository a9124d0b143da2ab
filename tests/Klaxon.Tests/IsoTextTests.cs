using Klaxon.Model;
using NodaTime;

namespace Klaxon.Tests;

public sealed class IsoTextTests
{
    [Theory]
    [InlineData("2026-03-27T15:00:00Z", "2026-03-27T15:00:00Z")]
    [InlineData("2026-03-27T16:00:00+01:00", "2026-03-27T15:00:00Z")]
    [InlineData("2026-03-27T16:00:00 01:00", "2026-03-27T15:00:00Z")]
    [InlineData("2026-03-27T10:00:00-05:00", "2026-03-27T15:00:00Z")]
    [InlineData("2026-03-27T15:00Z", "2026-03-27T15:00:00Z")]
    [InlineData(" 2026-03-27T15:00:00.25Z ", "2026-03-27T15:00:00.25Z")]
    public void ParseInstant_AcceptsIsoWithAnOffset(string text, string expected)
    {
        var result = IsoText.ParseInstant(text, "from");

        Assert.True(result.Success, string.Join(" ", result.Diagnostics));
        Assert.Equal(expected, IsoText.FormatInstant(result.Value));
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("2026-03-27T15:00:00", "has no offset")]
    [InlineData("2026-03-27", "is not an instant")]
    [InlineData("27/03/2026 15:00", "is not an instant")]
    [InlineData("9999-01-01T00:00:00Z", "outside the years 0001 to 9000")]
    public void ParseInstant_RefusesWithTheField(string? text, string message)
    {
        var result = IsoText.ParseInstant(text, "from");

        Assert.False(result.Success);
        Assert.Equal("from", result.Diagnostics.Single().Field);
        Assert.Contains(message, result.Diagnostics.Single().Message);
    }

    [Theory]
    [InlineData("PT4H", 4 * 3600)]
    [InlineData("PT2H30M", 9000)]
    [InlineData("-PT30M", -1800)]
    [InlineData("+PT30M", 1800)]
    [InlineData("PT2000H", 2000 * 3600)]
    [InlineData("P1D", 86400)]
    [InlineData("P1W", 7 * 86400)]
    [InlineData("P1DT1H", 90000)]
    [InlineData("PT90S", 90)]
    [InlineData("PT0S", 0)]
    public void ParseDuration_ReadsIso8601(string text, long seconds)
    {
        var result = IsoText.ParseDuration(text, "duration");

        Assert.True(result.Success, string.Join(" ", result.Diagnostics));
        Assert.Equal(Duration.FromSeconds(seconds), result.Value);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("4h", "is not an ISO-8601 duration")]
    [InlineData("PT1.5H", "is not an ISO-8601 duration")]
    [InlineData("P1M", "years or months")]
    [InlineData("P1Y", "years or months")]
    [InlineData("PT9999999999H", "longer than the limit")]
    [InlineData("P40000D", "longer than the limit")]
    public void ParseDuration_RefusesWithTheField(string? text, string message)
    {
        var result = IsoText.ParseDuration(text, "duration");

        Assert.False(result.Success);
        Assert.Equal("duration", result.Diagnostics.Single().Field);
        Assert.Contains(message, result.Diagnostics.Single().Message);
    }

    [Theory]
    [InlineData(0, "PT0S", "0s")]
    [InlineData(16200, "PT4H30M", "4h 30m")]
    [InlineData(-1800, "-PT30M", "-30m")]
    [InlineData(2000 * 3600, "PT2000H", "2000h")]
    [InlineData(3605, "PT1H5S", "1h 5s")]
    public void FormatDuration_WritesHoursMinutesSeconds(long seconds, string iso, string forPeople)
    {
        Assert.Equal(iso, IsoText.FormatDuration(Duration.FromSeconds(seconds)));
        Assert.Equal(forPeople, IsoText.FormatDurationForPeople(Duration.FromSeconds(seconds)));
    }

    [Fact]
    public void FormatDuration_KeepsFractionsOfASecond()
    {
        Assert.Equal("PT1.5S", IsoText.FormatDuration(Duration.FromMilliseconds(1500)));
        Assert.Equal("1.5s", IsoText.FormatDurationForPeople(Duration.FromMilliseconds(1500)));
    }
}
