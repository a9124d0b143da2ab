using System.Text;
using Klaxon.Core.Expressions;

namespace Klaxon.Core.Tests.Expressions;

/// <summary>The parser never fails with anything but a diagnostic, whatever the input.</summary>
public class ParserFuzzTests
{
    private static readonly string[] Fragments =
    [
        "priority", "status", "fields.region", "fields.", "submittedAt", "assignedTo", "now()", "coalesce(", "hoursBetween(", "contains(",
        "==", "!=", "<", "<=", ">", ">=", "and", "or", "not", "&&", "||", "!", "in", "(", ")", ",", "is", "empty", "null", "not in",
        "+", "-", "*", "/", "%", "?", ":", "1", "2.5", "4h", "30m", "\"New\"", "'x'", "\"", "true", "false", " ", "\n", ".", "@", "9999999999999999999999",
    ];

    private static readonly FieldSchema Schema = FieldSchema.WithCustom([new FieldInfo("region", ExprType.Text, ["EMEA"])]);

    [Fact]
    public void HundredThousandRandomAndMutatedInputs_OnlyEverYieldDiagnostics()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KLAXON_PROPERTY_SEED"), out var s) ? s : 20261122;
        var random = new Random(seed);
        var valid = new[]
        {
            "(priority == 1 or priority == 2) ? 1 : 4", "status in (\"New\", null) and priority <= 2", "now() - submittedAt > 4h",
            "coalesce(estimatedHours, 0) * 2", "contains(assignedTo, \"ann\") or fields.region == \"EMEA\"",
        };
        var compiled = 0;
        for (var i = 0; i < 100_000; i++)
        {
            string text;
            if (i % 2 == 0)
            {
                var sb = new StringBuilder();
                var n = random.Next(1, 14);
                for (var k = 0; k < n; k++) sb.Append(Fragments[random.Next(Fragments.Length)]).Append(random.Next(3) == 0 ? " " : "");
                text = sb.ToString();
            }
            else
            {
                var chars = valid[random.Next(valid.Length)].ToCharArray().ToList();
                var mutations = random.Next(1, 4);
                for (var m = 0; m < mutations && chars.Count > 0; m++)
                {
                    var at = random.Next(chars.Count);
                    switch (random.Next(3))
                    {
                        case 0: chars.RemoveAt(at); break;
                        case 1: chars.Insert(at, (char)random.Next(32, 127)); break;
                        default: chars[at] = (char)random.Next(0, 0x3000); break;
                    }
                }
                text = new string([.. chars]);
            }
            ExpressionResult result;
            try
            {
                result = Expression.Compile(text, Schema);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input #{i} {System.Text.Json.JsonSerializer.Serialize(text)} threw {e}");
                return;
            }
            if (result.Success) { compiled++; continue; }
            Assert.NotEmpty(result.Errors);
            foreach (var error in result.Errors)
            {
                Assert.InRange(error.Position.Offset, 0, text.Length);
                Assert.True(error.Position.Line >= 1 && error.Position.Column >= 1, $"seed {seed}: bad position {error.Position} for {text}");
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
        }
        Assert.InRange(compiled, 1, 99_999); // both outcomes happen, so the generator exercises both paths
    }
}
