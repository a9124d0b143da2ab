using System.Collections.Concurrent;
using System.Collections.Immutable;
using NodaTime;

namespace Klaxon.Core.Calendars;

/// <summary>
/// All calendar definitions known to one process, and their resolved <see cref="WorkingCalendar"/>s.
/// A resolved calendar (with its interval index) is built on first use and kept until its definition or
/// the definition of an ancestor changes: a change drops exactly the calendars that depend on it.
/// The system calendar always exists.
/// </summary>
public sealed class CalendarCatalog
{
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<string, WorkingCalendar> resolved = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, CalendarDefinition> definitions;

    public CalendarCatalog(IEnumerable<CalendarDefinition>? definitions = null)
    {
        var all = (definitions ?? []).ToImmutableDictionary(d => d.Id, StringComparer.Ordinal);
        if (!all.ContainsKey(CalendarDefinition.SystemId)) all = all.Add(CalendarDefinition.SystemId, CalendarDefinition.DefaultSystem);
        this.definitions = all;
    }

    public IReadOnlyCollection<CalendarDefinition> Definitions => definitions.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();

    public CalendarDefinition? Find(string id) => definitions.GetValueOrDefault(id);

    /// <summary>The resolved calendar with this id; throws <see cref="KeyNotFoundException"/> when there is none.</summary>
    public WorkingCalendar Get(string id) =>
        TryGet(id, out var calendar) ? calendar : throw new KeyNotFoundException($"There is no calendar '{id}'.");

    public bool TryGet(string id, out WorkingCalendar calendar)
    {
        if (resolved.TryGetValue(id, out calendar!)) return true;
        var snapshot = definitions;
        if (!snapshot.ContainsKey(id)) return false;
        var built = WorkingCalendar.FromChain(ChainOf(snapshot, id));
        lock (gate)
        {
            // Publish only if nothing changed meanwhile; otherwise the caller still gets a correct answer.
            if (ReferenceEquals(snapshot, definitions)) built = resolved.GetOrAdd(id, built);
        }
        calendar = built;
        return true;
    }

    /// <summary>What is wrong with storing <paramref name="definition"/> given the other calendars (parent, cycle, zone).</summary>
    public IReadOnlyList<Diagnostic> Check(CalendarDefinition definition)
    {
        var errors = new List<Diagnostic>();
        var snapshot = definitions.SetItem(definition.Id, definition);
        if (definition.Id == CalendarDefinition.SystemId)
        {
            if (definition.Parent is not null) errors.Add(new("parent", "the system calendar is the root and cannot derive from another calendar."));
            if (definition.TimeZone is null) errors.Add(new("timeZone", "is required for the system calendar."));
            return errors;
        }
        if (definition.Parent is { } parent)
        {
            if (!snapshot.ContainsKey(parent))
                errors.Add(new("parent", $"there is no calendar '{parent}'."));
            else if (FindCycle(snapshot, definition.Id) is { } cycle)
                errors.Add(new("parent", $"'{parent}' would make a cycle of parents: {string.Join(" → ", cycle)}."));
            else if (ChainOf(snapshot, definition.Id).All(c => c.TimeZone is null))
                errors.Add(new("timeZone", "is required: no calendar in the parent chain names a time zone."));
        }
        return errors;
    }

    /// <summary>
    /// Whether the calendar, as it would be with <paramref name="definition"/> stored, has no working day at all.
    /// Beyond the dates its rules name, every rule repeats with the 28-year cycle of weekdays and leap years,
    /// both before the earliest year its rules name and after the latest, so scanning from 29 years before the
    /// earliest to 29 years after the latest decides it (a yearly Feb 29 may work only in leap years before them).
    /// </summary>
    public bool NeverWorks(CalendarDefinition definition)
    {
        var chain = ChainOf(definitions.SetItem(definition.Id, definition), definition.Id);
        var rules = new DayRules(chain);
        var years = chain.SelectMany(c => c.WeeklyHours.SelectMany(w => new[] { w.ValidFrom?.Year, w.ValidUntil?.Year })
                .Concat(c.SpecialDays.SelectMany(s => new[] { s.Date?.Year, s.FromYear, s.UntilYear })))
            .OfType<int>().DefaultIfEmpty(2000).ToList();
        var first = new LocalDate(Math.Max(years.Min() - 29, -9990), 1, 1);
        var last = new LocalDate(Math.Min(years.Max() + 29, 9990), 12, 31);
        for (var date = first; date <= last; date = date.PlusDays(1))
        {
            if (rules.Resolve(date).Hours.IsWorking) return false;
        }
        return true;
    }

    /// <summary>Stores (or replaces) a definition that passed <see cref="Check"/>; drops every resolved calendar that depends on it.</summary>
    public void Put(CalendarDefinition definition)
    {
        lock (gate)
        {
            var before = definitions;
            definitions = definitions.SetItem(definition.Id, definition);
            Invalidate(before, definition.Id);
        }
    }

    /// <summary>What stops removing a calendar: it is the system calendar, or others derive from it.</summary>
    public IReadOnlyList<Diagnostic> CheckRemove(string id)
    {
        if (id == CalendarDefinition.SystemId) return [new("id", "the system calendar always exists and cannot be deleted.")];
        var children = definitions.Values.Where(d => d.Parent == id).Select(d => d.Id).OrderBy(x => x).ToList();
        return children.Count > 0
            ? [new("id", $"calendar '{id}' cannot be deleted: {string.Join(", ", children.Select(c => $"'{c}'"))} derive from it.")]
            : [];
    }

    public void Remove(string id)
    {
        lock (gate)
        {
            var before = definitions;
            definitions = definitions.Remove(id);
            Invalidate(before, id);
        }
    }

    /// <summary>The ids of <paramref name="id"/> and of every calendar deriving from it, directly or not.</summary>
    public IReadOnlyList<string> DependentsOf(string id) => Dependents(definitions, id);

    private void Invalidate(ImmutableDictionary<string, CalendarDefinition> before, string id)
    {
        foreach (var dependent in Dependents(before, id).Concat(Dependents(definitions, id)).Distinct())
            resolved.TryRemove(dependent, out _);
    }

    private static List<string> Dependents(ImmutableDictionary<string, CalendarDefinition> all, string id)
    {
        var result = new List<string> { id };
        for (var i = 0; i < result.Count; i++)
            result.AddRange(all.Values.Where(d => d.Parent == result[i] && !result.Contains(d.Id)).Select(d => d.Id));
        return result;
    }

    private static List<string>? FindCycle(ImmutableDictionary<string, CalendarDefinition> all, string id)
    {
        var path = new List<string> { id };
        for (var current = all[id]; current.Parent is { } parent && all.TryGetValue(parent, out var next); current = next)
        {
            path.Add(parent);
            if (parent == id) return path;
            if (path.Count > all.Count + 1) return null;
        }
        return null;
    }

    private static List<CalendarDefinition> ChainOf(ImmutableDictionary<string, CalendarDefinition> all, string id)
    {
        var chain = new List<CalendarDefinition>();
        for (CalendarDefinition? current = all[id]; current is not null; current = current.Parent is { } p ? all.GetValueOrDefault(p) : null)
        {
            if (chain.Contains(current)) throw new InvalidOperationException($"Calendar '{id}' has a cycle of parents.");
            chain.Add(current);
        }
        return chain;
    }
}
