using System.Text.Json;
using Klaxon.Core.Calendars;
using Klaxon.Model;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>
/// A calendar as stored: its <see cref="CalendarDocument"/> as JSON, with a version that increases on every
/// change (optimistic concurrency) and the instant of the last change in Unix milliseconds.
/// </summary>
public sealed class StoredCalendar
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Definition { get; set; }
    public int Version { get; set; }
    public long UpdatedAt { get; set; }

    public static StoredCalendar Create(CalendarDefinition definition, Instant now)
    {
        var stored = new StoredCalendar { Id = definition.Id, Name = "", Definition = "" };
        stored.Replace(definition, now);
        return stored;
    }

    public void Replace(CalendarDefinition definition, Instant now)
    {
        Name = definition.Name;
        Definition = JsonSerializer.Serialize(CalendarDocument.From(definition), KlaxonJson.Options);
        Version++;
        UpdatedAt = now.ToUnixTimeMilliseconds();
    }

    public CalendarDocument ToDocument() =>
        JsonSerializer.Deserialize<CalendarDocument>(Definition, KlaxonJson.Options)
        ?? throw new InvalidOperationException($"The stored calendar '{Id}' has an empty definition.");

    /// <summary>The definition; a stored calendar that no longer reads is corrupt data and stops start-up.</summary>
    public CalendarDefinition ToDefinition()
    {
        var result = ToDocument().ToDefinition(Id);
        return result.Success
            ? result.Value
            : throw new InvalidOperationException($"The stored calendar '{Id}' is not valid: {string.Join(" ", result.Diagnostics)}");
    }
}
