using Klaxon.Core.Calendars;

namespace Klaxon.Core.Tests.Calendars;

public sealed class DayHoursTests
{
    [Theory]
    [InlineData("09:00-17:00", "09:00-17:00", 8 * 3600)]
    [InlineData(" 13:00 - 17:30 ,08:30-12:00 ", "08:30-12:00, 13:00-17:30", 8 * 3600)] // sorted, spaces ignored
    [InlineData("09:00-12:00, 12:00-17:00", "09:00-12:00, 12:00-17:00", 8 * 3600)] // adjacent spans are allowed
    [InlineData("00:00-24:00", "00:00-24:00", 86_400)]
    [InlineData("10:00:07-12:00", "10:00:07-12:00", 2 * 3600 - 7)]
    [InlineData("23:59:59-24:00", "23:59:59-24:00", 1)]
    [InlineData("", "", 0)]
    [InlineData("   ", "", 0)]
    public void Parse_ValidText_ReadsTheSpans(string text, string written, int seconds)
    {
        var hours = DayHours.Parse(text).Value;

        Assert.Equal(written, hours.ToString());
        Assert.Equal(seconds, hours.LocalSeconds);
        Assert.Equal(seconds > 0, hours.IsWorking);
    }

    [Theory]
    [InlineData("9-17")]
    [InlineData("9:00-17:00")]
    [InlineData("09:00")]
    [InlineData("09:00-")]
    [InlineData("09:00-17:00,")]
    [InlineData("09:00-17:00-18:00")]
    [InlineData("09:60-17:00")]
    [InlineData("09:00:60-17:00")]
    [InlineData("24:00-24:00")]
    [InlineData("23:00-24:01")]
    [InlineData("25:00-26:00")]
    [InlineData("-1:00-02:00")]
    [InlineData("+9:00-17:00")]
    [InlineData("17:00-09:00")]
    [InlineData("09:00-09:00")]
    [InlineData("09:00-12:00, 11:59-13:00")]
    [InlineData("09:00-17:00, 10:00-11:00")]
    public void Parse_InvalidText_FailsWithTheFieldName(string text)
    {
        var result = DayHours.Parse(text, "weeklyHours[3].hours");

        Assert.False(result.Success);
        Assert.Equal("weeklyHours[3].hours", Assert.Single(result.Diagnostics).Field);
    }

    [Fact]
    public void Of_InvalidSpans_Throws()
    {
        Assert.Throws<ArgumentException>(() => DayHours.Of(new LocalSpan(3600, 1800)));
        Assert.Throws<ArgumentException>(() => DayHours.Of(new LocalSpan(0, 7200), new LocalSpan(3600, 9000)));
    }

    [Fact]
    public void Equals_SameSpansWrittenDifferently_AreEqual()
    {
        var a = DayHours.Parse("13:00-17:00, 09:00-12:00").Value;
        var b = DayHours.Of(new LocalSpan(9 * 3600, 12 * 3600), new LocalSpan(13 * 3600, 17 * 3600));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, DayHours.Parse("09:00-12:00").Value);
        Assert.Equal(DayHours.None, DayHours.Parse("").Value);
    }
}
