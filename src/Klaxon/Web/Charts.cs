using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Klaxon.Web;

/// <summary>One bar of a chart: its label under the axis, its value, and an optional CSS class for its colour.</summary>
public sealed record Bar(string Label, int Value, string? Css = null, string? Tooltip = null);

/// <summary>Charts drawn on the server as inline SVG: no chart service, no script, readable by screen readers through their titles.</summary>
public static class Charts
{
    /// <summary>Vertical bars with the value above each; every <paramref name="labelEvery"/>-th label is written.</summary>
    public static IHtmlContent Bars(string title, IReadOnlyList<Bar> bars, int labelEvery = 1, int width = 560, int height = 220)
    {
        const int left = 30, bottom = 30, top = 18;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var plot = height - bottom - top;
        var slot = (width - left - 6) / (double)Math.Max(1, bars.Count);
        var svg = Open(title, width, height);
        svg.Append(Invariant($"<line class=\"axis\" x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - 4}\" y2=\"{height - bottom}\"/>"));
        svg.Append(Invariant($"<text x=\"{left - 6}\" y=\"{top + 4}\" text-anchor=\"end\">{max}</text><text x=\"{left - 6}\" y=\"{height - bottom}\" text-anchor=\"end\">0</text>"));
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var h = plot * bar.Value / (double)max;
            var x = left + i * slot + slot * 0.15;
            var w = slot * 0.7;
            var y = height - bottom - h;
            svg.Append(Invariant($"<rect class=\"bar {bar.Css}\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\"><title>{Encode(bar.Tooltip ?? bar.Label)}: {bar.Value}</title></rect>"));
            if (bar.Value > 0 && slot >= 14)
                svg.Append(Invariant($"<text class=\"value\" x=\"{x + w / 2:0.#}\" y=\"{y - 3:0.#}\" text-anchor=\"middle\">{bar.Value}</text>"));
            if (i % labelEvery == 0)
                svg.Append(Invariant($"<text x=\"{x + w / 2:0.#}\" y=\"{height - bottom + 14}\" text-anchor=\"middle\">{Encode(bar.Label)}</text>"));
        }
        return Close(svg);
    }

    /// <summary>A share as a ring with the percentage in the middle (an empty ring and "no data" when there is nothing to count).</summary>
    public static IHtmlContent Share(string title, int part, int whole, string caption, int size = 220)
    {
        var svg = Open(title, size, size, " share");
        double r = size * 0.36, cx = size / 2.0, cy = size / 2.0 - 6;
        var circumference = 2 * Math.PI * r;
        svg.Append(Invariant($"<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r:0.#}\" fill=\"none\" stroke=\"#e8ebf0\" stroke-width=\"22\"/>"));
        if (whole > 0)
        {
            var filled = circumference * part / whole;
            svg.Append(Invariant($"<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r:0.#}\" fill=\"none\" stroke=\"#1e7a46\" stroke-width=\"22\" stroke-dasharray=\"{filled:0.##} {circumference:0.##}\" transform=\"rotate(-90 {cx} {cy})\"/>"));
            svg.Append(Invariant($"<text class=\"big\" x=\"{cx}\" y=\"{cy + 10}\" text-anchor=\"middle\">{Math.Round(100.0 * part / whole)}%</text>"));
        }
        else
            svg.Append(Invariant($"<text x=\"{cx}\" y=\"{cy + 4}\" text-anchor=\"middle\">no data</text>"));
        svg.Append(Invariant($"<text x=\"{cx}\" y=\"{size - 6}\" text-anchor=\"middle\">{Encode(caption)}</text>"));
        return Close(svg);
    }

    private static StringBuilder Open(string title, int width, int height, string css = "") =>
        new StringBuilder().Append(Invariant($"<svg class=\"chart{css}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{Encode(title)}</title>"));

    private static HtmlString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
