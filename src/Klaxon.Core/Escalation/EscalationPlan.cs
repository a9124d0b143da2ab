using Klaxon.Core.Calendars;
using Klaxon.Core.Expressions;
using NodaTime;
using NodaTime.TimeZones;

namespace Klaxon.Core.Escalation;

/// <summary>A recorded firing of one rule of a group for one item: the due it fired for and when it fired.</summary>
public readonly record struct Firing(int Rule, Instant Due, Instant FiredAt)
{
    /// <summary>A firing more than this after its due is <em>late</em> (the service was down or overloaded).</summary>
    public static readonly Duration LateAfter = Duration.FromSeconds(5);

    public bool Late => FiredAt - Due > LateAfter;
}

/// <summary>
/// When a rule is next due for an item, or why it cannot be computed (<see cref="Error"/>: a limit that fails,
/// a calendar without working time). Rules without an anchor value, or already fired at this due or later,
/// have no entry.
/// </summary>
public sealed record RuleDue(int Rule, Instant? Due, string? Error = null);

/// <summary>
/// An escalation group ready to use: its predicate and rules compiled against one tracker. Pure: the caller
/// supplies the item's values, the instant, what has fired, and the calendars.
/// </summary>
public sealed class EscalationPlan(string name, CompiledExpression predicate, IReadOnlyList<EscalationRule> rules)
{
    public string Name { get; } = name;

    public CompiledExpression Predicate { get; } = predicate;

    public IReadOnlyList<EscalationRule> Rules { get; } = rules;

    /// <summary>Whether the item is in the group now.</summary>
    public bool Selects(IFieldValues item, Instant now) => Predicate.Matches(item, now);

    /// <summary>
    /// The next due of every rule for an item in the group (DESIGN.md, "Escalation"): due = anchor + limit; no
    /// anchor value → no entry; a rule that already fired at this due or a later one → no entry (it fires again
    /// only when its due moves later); the repeat rule is due its interval after the group's latest firing.
    /// </summary>
    /// <param name="fired">This group's firings for this item, any order.</param>
    /// <param name="calendarFor">The working calendar of a rule (its own, or the project's when null).</param>
    public List<RuleDue> Schedule(IFieldValues item, Instant now, IReadOnlyList<Firing> fired, Func<string?, WorkingCalendar> calendarFor)
    {
        var result = new List<RuleDue>(Rules.Count);
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            Instant anchor;
            if (rule.IsRepeat)
            {
                if (fired.Count == 0) continue;
                var latest = fired.MaxBy(f => f.FiredAt);
                anchor = latest.Late ? latest.FiredAt : latest.Due;
            }
            else if (item.Get(rule.Anchor) is Instant value)
                anchor = value;
            else
                continue;
            if (rule.OutsideWorkingTime && IsWorking(calendarFor, rule.Calendar, anchor)) continue;

            var due = Due(rule, item, now, anchor, calendarFor, out var error);
            if (error is not null)
            {
                result.Add(new RuleDue(i, null, error));
                continue;
            }
            if (rule.IsRepeat && due - anchor < EscalationRule.MinimumRepeat)
            {
                result.Add(new RuleDue(i, null, $"the repeat interval is {due - anchor:-H:mm:ss}, less than the minimum of 60 seconds"));
                continue;
            }
            var alreadyFired = false;
            foreach (var f in fired)
            {
                if (f.Rule == i && f.Due >= due!.Value) { alreadyFired = true; break; }
            }
            if (!alreadyFired) result.Add(new RuleDue(i, due));
        }
        return result;
    }

    private static bool IsWorking(Func<string?, WorkingCalendar> calendarFor, string? calendar, Instant t)
    {
        try
        {
            return calendarFor(calendar).IsWorking(t);
        }
        catch (Exception e) when (e is CalendarNeverWorksException or ArgumentOutOfRangeException or KeyNotFoundException)
        {
            // The due computation below reports the calendar's problem.
            return false;
        }
    }

    /// <summary>
    /// The firings the plan would make for an item from <paramref name="from"/> to <paramref name="until"/> (inclusive)
    /// if the item's values stayed as they are: each rule fires at its due, or at <paramref name="from"/> when it is
    /// already overdue (a late firing, which the repeat rule then counts from), in due order. A preview, not a
    /// promise: actions that change the item (a transition out of the group) would stop later firings.
    /// </summary>
    /// <param name="fired">Firings recorded before <paramref name="from"/>, any order.</param>
    /// <param name="maxFirings">Stops after this many firings (a repeat rule fires at most once a minute).</param>
    public List<Firing> Simulate(
        IFieldValues item, Instant from, Instant until, IReadOnlyList<Firing> fired, Func<string?, WorkingCalendar> calendarFor, int maxFirings = 20_000)
    {
        var all = new List<Firing>(fired);
        var result = new List<Firing>();
        while (result.Count < maxFirings)
        {
            RuleDue? next = null;
            foreach (var due in Schedule(item, from, all, calendarFor))
            {
                if (due.Due is { } d && (next is null || d < next.Due!.Value)) next = due;
            }
            if (next is null || next.Due!.Value > until) break;
            var firing = new Firing(next.Rule, next.Due.Value, Instant.Max(next.Due.Value, from));
            all.Add(firing);
            result.Add(firing);
        }
        return result;
    }

    /// <summary>anchor + limit for one rule, or an error saying why not.</summary>
    public static Instant? Due(EscalationRule rule, IFieldValues item, Instant now, Instant anchor, Func<string?, WorkingCalendar> calendarFor, out string? error)
    {
        error = null;
        decimal limit = 0;
        if (rule.Limit is not null)
        {
            switch (rule.Limit.Evaluate(item, now))
            {
                case null:
                    break;
                case decimal d:
                    limit = d;
                    break;
                default:
                    error = $"the limit '{rule.Limit.Text}' is not a number";
                    return null;
            }
        }
        try
        {
            return Apply(anchor, limit, rule.Unit, rule.Basis, calendarFor(rule.Calendar), out error);
        }
        catch (Exception e) when (e is CalendarNeverWorksException or ArgumentOutOfRangeException or OverflowException or KeyNotFoundException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>
    /// <paramref name="anchor"/> + <paramref name="limit"/> units: minutes and hours are working time or elapsed time;
    /// working days count dates with work (<see cref="WorkingCalendar.AddWorkingDays"/>) and must be whole; calendar
    /// days keep the local time of day in the calendar's zone.
    /// </summary>
    public static Instant? Apply(Instant anchor, decimal limit, LimitUnit unit, TimeBasis basis, WorkingCalendar calendar, out string? error)
    {
        error = null;
        if (unit == LimitUnit.Days)
        {
            var whole = decimal.Truncate(limit);
            if (basis == TimeBasis.Working)
            {
                if (whole != limit)
                {
                    error = $"a limit in working days must be a whole number, not {limit}";
                    return null;
                }
                if (Math.Abs(whole) > WorkingCalendar.MaxWorkingDays)
                {
                    error = $"{whole} working days is more than {WorkingCalendar.MaxWorkingDays}";
                    return null;
                }
                return calendar.AddWorkingDays(anchor, (int)whole);
            }
            if (Math.Abs(whole) > 3_000_000)
            {
                error = $"{whole} days is too far";
                return null;
            }
            var local = anchor.InZone(calendar.Zone).LocalDateTime.PlusDays((int)whole);
            var shifted = calendar.Zone.ResolveLocal(local, Resolvers.LenientResolver).ToInstant();
            return shifted + Duration.FromTicks((long)((limit - whole) * NodaConstants.TicksPerDay));
        }
        var ticksPerUnit = unit == LimitUnit.Minutes ? NodaConstants.TicksPerMinute : NodaConstants.TicksPerHour;
        var ticks = limit * ticksPerUnit;
        if (Math.Abs(ticks) > 100L * 366 * NodaConstants.TicksPerDay)
        {
            error = $"a limit of {limit} {unit.ToString().ToLowerInvariant()} is more than 100 years";
            return null;
        }
        var duration = Duration.FromTicks((long)ticks);
        return basis == TimeBasis.Working ? calendar.Add(anchor, duration) : anchor + duration;
    }
}
