using System.Globalization;
using System.Net;
using Klaxon.Model;
using Microsoft.AspNetCore.Html;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Web;

/// <summary>How pages write instants and durations: UTC in the markup, the viewer's zone by script, a calendar's zone on request.</summary>
public static class Show
{
    private static readonly LocalDateTimePattern Local = LocalDateTimePattern.CreateWithInvariantCulture("ddd d MMM uuuu, HH':'mm");

    /// <summary>An instant the browser rewrites into the viewer's time zone (UTC until then, and as its tooltip).</summary>
    public static IHtmlContent Instant(Instant instant) =>
        new HtmlString($"<time datetime=\"{IsoText.FormatInstant(instant)}\" data-local>{Encode(Local.Format(instant.InUtc().LocalDateTime))} UTC</time>");

    public static IHtmlContent Instant(string? iso) =>
        iso is not null && InstantPattern.ExtendedIso.Parse(iso) is { Success: true } parsed ? Instant(parsed.Value) : new HtmlString("—");

    /// <summary>An instant in a calendar's zone, named: "Fri 27 Mar 2026, 15:00 Europe/Berlin".</summary>
    public static string InZone(Instant instant, DateTimeZone zone) => $"{Local.Format(instant.InZone(zone).LocalDateTime)} {zone.Id}";

    /// <summary>Working time as a person reads it: "3h 20m", "-45m".</summary>
    public static string Duration(Duration duration) => IsoText.FormatDurationForPeople(Round(duration));

    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>An instant as a datetime-local input value in UTC.</summary>
    public static string InputUtc(Instant instant) => LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm").Format(instant.InUtc().LocalDateTime);

    private static Duration Round(Duration d) => NodaTime.Duration.FromMinutes(Math.Round(d.TotalMinutes));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
