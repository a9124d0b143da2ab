using Klaxon.Core.Tracking;
using NodaTime;

namespace Klaxon.Core.Tests.Tracking;

public class ItemValuesTests
{
    private static readonly Tracker Incident = new("INC", "Incident",
        [
            new CustomField("region", CustomFieldType.Choice, ["EMEA", "APAC"]),
            new CustomField("impact", CustomFieldType.Number),
            new CustomField("detectedAt", CustomFieldType.DateTime),
            new CustomField("owner", CustomFieldType.User),
            new CustomField("confirmed", CustomFieldType.Bool),
            new CustomField("customer", CustomFieldType.Text),
        ],
        new Workflow(["New"], "New", []));

    private static readonly Instant Nine = Instant.FromUtc(2026, 1, 5, 9, 0);

    public static TheoryData<string, object?, object?> Accepted => new()
    {
        { "summary", "  Mail is down ", "Mail is down" },
        { "description", "  ", null },
        { "description", " keeps its spaces ", " keeps its spaces " },
        { "resolution", " Fixed ", "Fixed" },
        { "priority", 1, 1m },
        { "priority", 5.0m, 5m },
        { "priority", null, null },
        { "severity", 3L, 3m },
        { "estimatedHours", 2.50m, 2.5m },
        { "estimatedHours", 0, 0m },
        { "startDate", Nine + Duration.FromTicks(12_345), Nine + Duration.FromMilliseconds(1) },
        { "assignedTo", null, Array.Empty<string>() },
        { "assignedTo", new[] { "alice", " bob", "alice" }, new[] { "alice", "bob" } },
        { "fields.region", "APAC", "APAC" },
        { "fields.impact", 3.0, 3m },
        { "fields.detectedAt", Nine, Nine },
        { "fields.owner", "bob", "bob" },
        { "fields.confirmed", false, false },
        { "fields.customer", "", null },
        { "fields.region", null, null },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Check_GoodValue_ReturnsItsNormalForm(string field, object? value, object? expected)
    {
        var result = ItemValues.Check(Incident, field, value);

        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.True(ItemValues.Same(expected, result.Value), $"{ItemValues.Text(expected)} != {ItemValues.Text(result.Value)}");
    }

    public static TheoryData<string, object?, string> Refused => new()
    {
        { "summary", null, "summary: is required" },
        { "summary", 3m, "summary: expected text." },
        { "priority", 0, "priority: 0 is not a priority: use a whole number from 1 (Highest) to 5 (Lowest)." },
        { "priority", 2.5m, "priority: 2.5 is not a priority" },
        { "priority", "high", "priority: expected a whole number from 1 (Highest) to 5 (Lowest)." },
        { "severity", 4, "severity: 4 is not a severity: use a whole number from 1 (most severe) to 3." },
        { "estimatedHours", -0.5m, "estimatedHours: -0.5 is negative" },
        { "startDate", "2026-01-05", "startDate: expected a date-time" },
        { "assignedTo", "alice", "assignedTo: expected a list of logins" },
        { "assignedTo", new[] { "alice", " " }, "assignedTo: a login may not be empty." },
        { "status", "Closed", "status: changes only through a workflow transition" },
        { "submittedAt", Nine, "submittedAt: is set by Klaxon and cannot be changed." },
        { "colour", "red", "colour: is not a field of an item" },
        { "fields.colour", "red", "fields.colour: is not a field of tracker INC (its fields are region, impact, detectedAt, owner, confirmed, customer)." },
        { "fields.region", "LATAM", "fields.region: 'LATAM' is not one of the choices of region: EMEA, APAC." },
        { "fields.impact", "high", "fields.impact: expected a number." },
        { "fields.detectedAt", "yesterday", "fields.detectedAt: expected a date-time" },
        { "fields.owner", " ", "fields.owner: expected the login of a user." },
        { "fields.confirmed", "yes", "fields.confirmed: expected true or false." },
        { "fields.customer", 42m, "fields.customer: expected text." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Check_BadValue_IsADiagnosticNamingTheField(string field, object? value, string message)
    {
        var result = ItemValues.Check(Incident, field, value);

        Assert.False(result.Success);
        Assert.StartsWith(message, result.Diagnostics.Single().ToString());
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("  ", true)]
    [InlineData("x", false)]
    [InlineData(0, false)]
    [InlineData(false, false)]
    public void IsEmpty_CountsNullBlankTextAndEmptyListsAsEmpty(object? value, bool expected)
    {
        Assert.Equal(expected, ItemValues.IsEmpty(value));
        Assert.True(ItemValues.IsEmpty(Array.Empty<string>()));
        Assert.False(ItemValues.IsEmpty(new[] { "alice" }));
    }

    [Fact]
    public void Text_WritesValuesAsHistoryShowsThem()
    {
        Assert.Equal("2026-01-05T09:00:00Z", ItemValues.Text(Nine));
        Assert.Equal("alice, bob", ItemValues.Text(new[] { "alice", "bob" }));
        Assert.Null(ItemValues.Text(Array.Empty<string>()));
        Assert.Equal("2.5", ItemValues.Text(ItemValues.Normal(2.50m)));
        Assert.Equal("true", ItemValues.Text(true));
    }

    [Fact]
    public void Same_ComparesNumbersByValue_ListsInOrder_AndNullAsAnEmptyList()
    {
        Assert.True(ItemValues.Same(2m, 2));
        Assert.True(ItemValues.Same(null, Array.Empty<string>()));
        Assert.False(ItemValues.Same(new[] { "a", "b" }, new[] { "b", "a" }));
        Assert.False(ItemValues.Same("2", 2m));
        Assert.False(ItemValues.Same(null, ""));
    }
}
