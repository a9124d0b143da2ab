using System.Text;
using System.Text.RegularExpressions;
using Klaxon.Core.Expressions;

namespace Klaxon.Core.Escalation;

/// <summary>
/// Text with placeholders that a fired rule fills from the item: <c>{summary}</c>, <c>{fields.workaround}</c> (any
/// field as expressions name it; an empty value reads as "none"), and the words of <see cref="Words"/>:
/// <c>{links}</c> (the linked items, one a line, with their user fields such as the customer), <c>{update}</c>
/// ("Update: " when the rule fired for the item before, else nothing), <c>{group}</c>, <c>{rule}</c>,
/// <c>{item}</c> (the item's address). Braces that do not enclose a name are kept as written.
/// </summary>
public static partial class MessageTemplate
{
    public static IReadOnlyList<string> Words { get; } = ["links", "update", "group", "rule", "item"];

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9_.]*)\}")]
    private static partial Regex Placeholder();

    /// <summary>The placeholders of <paramref name="template"/> that name neither a field of <paramref name="schema"/> nor a word.</summary>
    public static IEnumerable<Diagnostic> Check(string template, FieldSchema schema, string path)
    {
        foreach (Match match in Placeholder().Matches(template))
        {
            var name = match.Groups[1].Value;
            if (!Words.Contains(name) && schema.Find(name) is null)
                yield return new Diagnostic(path, $"'{{{name}}}' names neither a field of the tracker nor one of {string.Join(", ", Words.Select(w => "{" + w + "}"))}.");
        }
    }

    /// <summary>Fills each placeholder with <paramref name="value"/> of its name.</summary>
    public static string Render(string template, Func<string, string> value)
    {
        var text = new StringBuilder();
        var at = 0;
        foreach (Match match in Placeholder().Matches(template))
        {
            text.Append(template, at, match.Index - at);
            text.Append(value(match.Groups[1].Value));
            at = match.Index + match.Length;
        }
        return text.Append(template, at, template.Length - at).ToString();
    }
}
