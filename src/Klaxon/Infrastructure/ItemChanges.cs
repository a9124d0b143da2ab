using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Klaxon.Core;
using Klaxon.Core.Tracking;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;

namespace Klaxon.Infrastructure;

/// <summary>One field's change, named as expressions name it (<c>priority</c>, <c>fields.region</c>), with typed values (see <see cref="ItemValues"/>).</summary>
public sealed record FieldChange(string Field, object? OldValue, object? NewValue);

/// <summary>
/// What <see cref="ItemChanges"/> did to an item: the item as stored afterwards, its tracker, the changes in the
/// order history records them (a transition's <c>status</c> change first), and the transition that ran.
/// Nothing was stored when <see cref="Changes"/> is empty.
/// </summary>
public sealed record ItemChange(ItemRow Item, Tracker Tracker, IReadOnlyList<FieldChange> Changes, Transition? Transition)
{
    public bool Changed => Changes.Count > 0;

    /// <summary>Whether any of <paramref name="fields"/> changed (to reschedule escalations anchored on them).</summary>
    public bool ChangedAny(IEnumerable<string> fields) => fields.Any(f => Changes.Any(c => c.Field == f));
}

/// <summary>
/// One change to make to an item in one step: field values, then (optionally) a transition, whose required
/// fields are checked on the item as the values leave it. With <see cref="ExpectedVersion"/> the change is
/// refused (409) unless the item is still at that version.
/// </summary>
public sealed record ItemEdit
{
    public IReadOnlyDictionary<string, object?> Values { get; init; } = new Dictionary<string, object?>();
    public string? Transition { get; init; }
    public int? ExpectedVersion { get; init; }
}

/// <summary>
/// Records what a change brings about — such as the messages people get (<see cref="Delivery.ChangeMessages"/>) — so that it
/// commits with the change or not at all; returns the rows it added to the context.
/// </summary>
public delegate Task<IReadOnlyList<object>> ChangeRecorder(ItemChange change, ItemActor actor, CancellationToken cancellationToken);

/// <summary>A link added or removed, with both items as stored afterwards.</summary>
public sealed record LinkChange(LinkRow Link, ItemRow Item, ItemRow Target, bool Added);

/// <summary>
/// Every change to items — creation, field updates, workflow transitions, links — for HTTP handlers and the
/// escalation engine alike. Each call checks its input (400, 409, or 403 for a transition the actor may not run),
/// stores the change and its history in one transaction and returns what changed; a refused call stores nothing.
/// Callers check project permissions (<c>items.edit</c> …) first; here only the workflow's roles are asked, and an
/// escalation actor (<see cref="ItemActor.Escalation"/>) runs hidden transitions without role checks.
/// <para>
/// Items carry a version, bumped by every change. A change with an expected version is refused when the item has
/// moved on; one without is retried on the item as it now is, so two concurrent changes never lose each other.
/// Names of people (assignees, supervisors, user fields) must be members of the item's project, directly or
/// through a group, when they are added; names already on the item stay even if their holder left.
/// </para>
/// <para>
/// The context's change tracker is left as it was found: rows are read untracked and detached after saving.
/// Give it a context that is not tracking the items it changes.
/// </para>
/// </summary>
public sealed partial class ItemChanges(KlaxonDbContext db, IClock clock)
{
    /// <summary>History's field for the creation of an item; its new value is the item's key.</summary>
    public const string CreatedField = "created";

    /// <summary>History's field for an outgoing link (<c>link:bug-report</c>) and, on the other item, an incoming one.</summary>
    public const string LinkField = "link:", LinkedFromField = "linked-from:";

    private const int Attempts = 10;

    /// <summary>
    /// Called with each creation, field update or transition that changed something, to add rows that must be stored with
    /// it: after the new item's insert, in its transaction; before an update's save, in that save (again on a retry).
    /// </summary>
    public ChangeRecorder? Recorder { get; init; }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex LinkTypePattern();

    /// <summary>
    /// Creates an item of <paramref name="trackerKey"/> in the workflow's initial status, submitted now by the actor,
    /// numbered from the tracker's next number (gapless under concurrency: the number is taken in the transaction
    /// that stores the item). <c>summary</c> is required.
    /// </summary>
    public async Task<ItemChange> CreateAsync(
        string projectKey, string trackerKey, IReadOnlyDictionary<string, object?> values, ItemActor actor, CancellationToken cancellationToken = default)
    {
        var trackerRow = await db.Trackers.AsNoTracking().SingleOrDefaultAsync(t => t.Key == trackerKey && t.ProjectKey == projectKey, cancellationToken)
            ?? throw ProblemException.Invalid("tracker", $"there is no tracker '{trackerKey}' in project {projectKey}.");
        return await CreateAsync(trackerRow, values, actor, cancellationToken);
    }

    /// <summary>Creates an item of a tracker the caller has read already (see the overload by keys).</summary>
    public async Task<ItemChange> CreateAsync(TrackerRow trackerRow, IReadOnlyDictionary<string, object?> values, ItemActor actor, CancellationToken cancellationToken = default)
    {
        var (projectKey, trackerKey) = (trackerRow.ProjectKey, trackerRow.Key);
        var tracker = TrackerStorage.Read(trackerRow);

        var errors = new List<Diagnostic>();
        var checkedValues = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (field, value) in values.Append(new("summary", values.GetValueOrDefault("summary"))).DistinctBy(v => v.Key))
        {
            var result = ItemValues.Check(tracker, field, value);
            if (result.Success) checkedValues[field] = result.Value;
            else errors.AddRange(result.Diagnostics);
        }
        await CheckPeopleAsync(projectKey, tracker, checkedValues.Select(v => new FieldChange(v.Key, null, v.Value)), errors, cancellationToken);
        ProblemException.ThrowIfAny(errors);

        var now = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        var createdAt = Instant.FromUnixTimeMilliseconds(now);
        // A new item's status is set, and so is every value it is created with.
        var given = checkedValues.Select(v => new FieldChange(v.Key, null, v.Value)).Append(new FieldChange("status", null, tracker.Workflow.Initial)).ToList();
        foreach (var stamp in Stamps(tracker, given, createdAt, _ => null)) checkedValues[stamp.Field] = stamp.NewValue;
        var item = new ItemRow
        {
            Key = "",
            ProjectKey = projectKey,
            TrackerKey = trackerKey,
            Summary = "",
            Status = tracker.Workflow.Initial,
            Submitter = actor.Name,
            SubmittedAt = now,
            Version = 1,
            UpdatedAt = now,
        };
        Apply(item, checkedValues.Select(v => new FieldChange(v.Key, null, v.Value)));

        var touched = new List<object>();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The update takes the tracker row's lock first, so concurrent creations queue here and each reads its own number.
            item.Number = await NextNumberAsync(transaction, trackerKey, cancellationToken) - 1;
            item.Key = $"{trackerKey}-{item.Number}";
            // Two plain inserts: the change tracker has nothing to do for a new item's own rows.
            item.Id = await RowInserts.InsertAsync(db, transaction, item, cancellationToken);
            await RowInserts.InsertAsync(db, transaction, new HistoryRow { ItemId = item.Id, At = now, Actor = actor.Name, Field = CreatedField, NewValue = item.Key }, cancellationToken);
            if (Recorder is { } record && await record(new ItemChange(item, tracker, [new FieldChange(CreatedField, null, item.Key)], null), actor, cancellationToken) is { Count: > 0 } recorded)
            {
                touched.AddRange(recorded);
                await db.SaveChangesAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            Detach(touched);
        }
        return new ItemChange(item, tracker, [new FieldChange(CreatedField, null, item.Key)], null);
    }

    /// <summary>Raises the tracker's item counter in <paramref name="transaction"/> and returns its new value (a plain command: this runs for every new item).</summary>
    private async Task<int> NextNumberAsync(IDbContextTransaction transaction, string trackerKey, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = "UPDATE trackers SET next_number = next_number + 1 WHERE key = @tracker RETURNING next_number";
        var tracker = command.CreateParameter();
        tracker.ParameterName = "tracker";
        tracker.Value = trackerKey;
        command.Parameters.Add(tracker);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken) ?? throw new InvalidOperationException($"Tracker {trackerKey} is gone."), CultureInfo.InvariantCulture);
    }

    /// <summary>Sets fields of an item (see <see cref="ItemValues.Check"/>); values equal to the current ones change nothing.</summary>
    public Task<ItemChange> UpdateAsync(
        string itemKey, IReadOnlyDictionary<string, object?> values, ItemActor actor, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(itemKey, new ItemEdit { Values = values, ExpectedVersion = expectedVersion }, actor, cancellationToken);

    /// <summary>Runs a workflow transition by name from the item's current status.</summary>
    public Task<ItemChange> TransitionAsync(
        string itemKey, string transition, ItemActor actor, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(itemKey, new ItemEdit { Transition = transition, ExpectedVersion = expectedVersion }, actor, cancellationToken);

    /// <summary>Sets fields and runs a transition (either may be absent) as one change: one version, one save.</summary>
    public async Task<ItemChange> ChangeAsync(string itemKey, ItemEdit edit, ItemActor actor, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var item = await FindAsync(itemKey, cancellationToken);
            if (edit.ExpectedVersion is { } expected && expected != item.Version)
                throw Stale(item, expected);
            var tracker = await TrackerAsync(item.TrackerKey, cancellationToken);
            var current = new ItemFields(item, tracker);

            var errors = new List<Diagnostic>();
            var changes = new List<FieldChange>();
            foreach (var (field, value) in edit.Values)
            {
                var result = ItemValues.Check(tracker, field, value);
                if (!result.Success) errors.AddRange(result.Diagnostics);
                else if (current.Get(field) is var old && !ItemValues.Same(old, result.Value)) changes.Add(new FieldChange(field, old, result.Value));
            }
            await CheckPeopleAsync(item.ProjectKey, tracker, changes, errors, cancellationToken);
            ProblemException.ThrowIfAny(errors);

            Transition? transition = null;
            if (edit.Transition is { } name)
            {
                var linkTypes = (await db.Links.AsNoTracking().Where(l => l.ItemId == item.Id).Select(l => l.Type).ToListAsync(cancellationToken)).ToHashSet();
                var decision = TransitionRules.Decide(tracker.Workflow, name, item.Status, actor, requirement =>
                    TransitionRules.LinkType(requirement) is { } type
                        ? linkTypes.Contains(type)
                        : !ItemValues.IsEmpty(changes.LastOrDefault(c => c.Field == requirement) is { } set ? set.NewValue : current.Get(requirement)));
                if (!decision.Allowed) throw Refusal(item, decision);
                transition = decision.Transition!;
                changes.Insert(0, new FieldChange("status", item.Status, transition.To));
            }
            if (changes.Count == 0) return new ItemChange(item, tracker, [], null);

            var now = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
            changes.AddRange(Stamps(tracker, changes, Instant.FromUnixTimeMilliseconds(now), current.Get));
            var touched = new List<object> { db.Items.Attach(item).Entity };
            try
            {
                Apply(item, changes);
                Stamp(item, now);
                foreach (var change in changes)
                {
                    touched.Add(db.History.Add(new HistoryRow
                    {
                        ItemId = item.Id,
                        At = now,
                        Actor = actor.Name,
                        Field = change.Field,
                        OldValue = ItemValues.Text(change.OldValue),
                        NewValue = ItemValues.Text(change.NewValue),
                        Transition = change.Field == "status" ? transition?.Name : null,
                    }).Entity);
                }
                if (Recorder is { } record) touched.AddRange(await record(new ItemChange(item, tracker, changes, transition), actor, cancellationToken));
                await db.SaveChangesAsync(cancellationToken);
                return new ItemChange(item, tracker, changes, transition);
            }
            catch (DbUpdateConcurrencyException)
            {
                if (edit.ExpectedVersion is { } version)
                    throw ProblemException.Conflict($"{itemKey} was changed by another request while this change to version {version} was saved; nothing of this change was stored. Read it again and retry.");
                if (attempt == Attempts) throw TooBusy(itemKey);
            }
            finally
            {
                Detach(touched);
            }
        }
    }

    /// <summary>
    /// The date-time fields stamped by <paramref name="changes"/> (see <see cref="CustomField.StampOn"/>): each set to
    /// <paramref name="now"/> when a field it watches changed to a value that is neither empty nor false, unless
    /// the change sets it itself.
    /// </summary>
    private static IEnumerable<FieldChange> Stamps(Tracker tracker, IReadOnlyList<FieldChange> changes, Instant now, Func<string, object?> current)
    {
        foreach (var field in tracker.Fields.Where(f => f.Type == CustomFieldType.DateTime && f.StampedBy.Count > 0))
        {
            var name = ItemValues.CustomPrefix + field.Name;
            if (changes.Any(c => c.Field == name)) continue;
            if (changes.Any(c => field.StampedBy.Contains(c.Field) && !ItemValues.IsEmpty(c.NewValue) && c.NewValue is not false))
                yield return new FieldChange(name, current(name), now);
        }
    }

    /// <summary>The transitions <paramref name="actor"/> may run on the item now, each with the requirements it still misses.</summary>
    public async Task<IReadOnlyList<(Transition Transition, IReadOnlyList<string> Missing)>> AvailableAsync(
        ItemRow item, Tracker tracker, ItemActor actor, CancellationToken cancellationToken = default)
    {
        var linkTypes = (await db.Links.AsNoTracking().Where(l => l.ItemId == item.Id).Select(l => l.Type).ToListAsync(cancellationToken)).ToHashSet();
        var current = new ItemFields(item, tracker);
        return [.. TransitionRules.Available(tracker.Workflow, item.Status, actor)
            .Select(t => (t, (IReadOnlyList<string>)t.Requires
                .Where(r => TransitionRules.LinkType(r) is { } type ? !linkTypes.Contains(type) : ItemValues.IsEmpty(current.Get(r)))
                .ToList()))];
    }

    /// <summary>Links <paramref name="itemKey"/> to <paramref name="targetKey"/> with a type such as <c>bug-report</c>; 409 if that link exists.</summary>
    public async Task<LinkChange> LinkAsync(string itemKey, string type, string targetKey, ItemActor actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(type) || !LinkTypePattern().IsMatch(type))
            throw ProblemException.Invalid("type", $"'{type}' is not a link type: use lower-case letters, digits and '-', starting with a letter (such as bug-report).");
        for (var attempt = 1; ; attempt++)
        {
            var (item, target) = await PairAsync(itemKey, targetKey, cancellationToken);
            if (await db.Links.AnyAsync(l => l.ItemId == item.Id && l.Type == type && l.TargetItemId == target.Id, cancellationToken))
                throw ProblemException.Conflict($"{item.Key} already links to {target.Key} as '{type}'.");
            var now = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
            var link = new LinkRow { ItemId = item.Id, Type = type, TargetItemId = target.Id, CreatedAt = now };
            var touched = new List<object>();
            try
            {
                touched.Add(db.Links.Add(link).Entity);
                RecordLink(item, target, type, now, actor, added: true, touched);
                await db.SaveChangesAsync(cancellationToken);
                return new LinkChange(link, item, target, Added: true);
            }
            catch (DbUpdateConcurrencyException)
            {
                // One of the items changed meanwhile: look again (the next round reports the link if it was this one).
            }
            catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
            {
                // A concurrent request stored the same link first (unique index); anything else is not ours to explain.
                Detach(touched);
                touched.Clear();
                if (await db.Links.AnyAsync(l => l.ItemId == item.Id && l.Type == type && l.TargetItemId == target.Id, cancellationToken))
                    throw ProblemException.Conflict($"{item.Key} already links to {target.Key} as '{type}'.");
                throw;
            }
            finally
            {
                Detach(touched);
            }
            if (attempt == Attempts) throw TooBusy(itemKey);
        }
    }

    /// <summary>
    /// Removes the link of <paramref name="type"/> between two items: the one from <paramref name="itemKey"/> to
    /// <paramref name="targetKey"/>, or else the one the other way round; 404 when there is neither.
    /// </summary>
    public async Task<LinkChange> UnlinkAsync(string itemKey, string type, string targetKey, ItemActor actor, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (item, target) = await PairAsync(itemKey, targetKey, cancellationToken);
            var link = await db.Links.AsNoTracking().FirstOrDefaultAsync(l => l.ItemId == item.Id && l.Type == type && l.TargetItemId == target.Id, cancellationToken);
            if (link is null)
            {
                link = await db.Links.AsNoTracking().FirstOrDefaultAsync(l => l.ItemId == target.Id && l.Type == type && l.TargetItemId == item.Id, cancellationToken)
                    ?? throw ProblemException.NotFound($"There is no link of type '{type}' between {item.Key} and {target.Key}.");
                (item, target) = (target, item);
            }
            var now = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
            var touched = new List<object>();
            try
            {
                touched.Add(db.Links.Remove(link).Entity);
                RecordLink(item, target, type, now, actor, added: false, touched);
                await db.SaveChangesAsync(cancellationToken);
                return new LinkChange(link, item, target, Added: false);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The link or one of the items changed meanwhile: look again.
            }
            finally
            {
                Detach(touched);
            }
            if (attempt == Attempts) throw TooBusy(itemKey);
        }
    }

    /// <summary>The item with this key, untracked; 404 when there is none.</summary>
    public async Task<ItemRow> FindAsync(string itemKey, CancellationToken cancellationToken = default) =>
        await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Key == itemKey, cancellationToken)
        ?? throw ProblemException.NotFound($"There is no item '{itemKey}'.");

    public async Task<Tracker> TrackerAsync(string trackerKey, CancellationToken cancellationToken = default) =>
        TrackerStorage.Read(await db.Trackers.AsNoTracking().SingleAsync(t => t.Key == trackerKey, cancellationToken));

    private async Task<(ItemRow Item, ItemRow Target)> PairAsync(string itemKey, string targetKey, CancellationToken cancellationToken)
    {
        var item = await FindAsync(itemKey, cancellationToken);
        var target = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Key == targetKey, cancellationToken)
            ?? throw ProblemException.Invalid("item", $"there is no item '{targetKey}'.");
        if (target.Id == item.Id) throw ProblemException.Invalid("item", $"{item.Key} cannot link to itself.");
        return (item, target);
    }

    /// <summary>Bumps both items' versions (each shows the link) and records the change in both histories.</summary>
    private void RecordLink(ItemRow item, ItemRow target, string type, long now, ItemActor actor, bool added, List<object> touched)
    {
        foreach (var (row, field, other) in new[] { (item, LinkField + type, target.Key), (target, LinkedFromField + type, item.Key) })
        {
            touched.Add(db.Items.Attach(row).Entity);
            Stamp(row, now);
            touched.Add(db.History.Add(new HistoryRow
            {
                ItemId = row.Id,
                At = now,
                Actor = actor.Name,
                Field = field,
                OldValue = added ? null : other,
                NewValue = added ? other : null,
            }).Entity);
        }
    }

    /// <summary>Refuses (400) people who may not be named: only the ones a change adds are asked about.</summary>
    private async Task CheckPeopleAsync(string projectKey, Tracker tracker, IEnumerable<FieldChange> changes, List<Diagnostic> errors, CancellationToken cancellationToken)
    {
        var named = changes
            .Where(c => c.Field is "assignedTo" or "supervisors" || (c.Field.StartsWith(ItemValues.CustomPrefix, StringComparison.Ordinal) &&
                        tracker.Field(c.Field[ItemValues.CustomPrefix.Length..])?.Type == CustomFieldType.User))
            .Select(c => (c.Field, Logins: ItemValues.Logins(c.NewValue).Except(ItemValues.Logins(c.OldValue)).ToList()))
            .Where(c => c.Logins.Count > 0)
            .ToList();
        if (named.Count == 0) return;
        var logins = named.SelectMany(c => c.Logins).Distinct().ToList();
        var members = await MembersAmongAsync(db, projectKey, logins, cancellationToken);
        var users = await db.Users.AsNoTracking().Where(u => logins.Contains(u.Login)).Select(u => u.Login).ToListAsync(cancellationToken);
        foreach (var (field, added) in named)
        {
            foreach (var login in added.Where(l => !members.Contains(l)))
            {
                errors.Add(new(field, users.Contains(login)
                    ? $"'{login}' is not a member of project {projectKey}; only members (directly or through a group) may be named."
                    : $"'{login}' is not a user."));
            }
        }
    }

    /// <summary>Those of <paramref name="logins"/> who are members of the project, directly or through a group.</summary>
    public static async Task<HashSet<string>> MembersAmongAsync(KlaxonDbContext db, string projectKey, IReadOnlyCollection<string> logins, CancellationToken cancellationToken = default)
    {
        var members = await db.Members.AsNoTracking().Where(m => m.ProjectKey == projectKey).Select(m => new { m.Kind, m.Principal }).ToListAsync(cancellationToken);
        var found = members.Where(m => m.Kind == MemberRow.UserKind && logins.Contains(m.Principal)).Select(m => m.Principal).ToHashSet(StringComparer.Ordinal);
        var groups = members.Where(m => m.Kind == MemberRow.GroupKind).Select(m => m.Principal).ToList();
        if (groups.Count > 0)
        {
            found.UnionWith(await db.GroupMembers.AsNoTracking()
                .Where(g => groups.Contains(g.GroupName) && logins.Contains(g.Login)).Select(g => g.Login).ToListAsync(cancellationToken));
        }
        return found;
    }

    /// <summary>Writes checked values into the row's columns and its custom-field JSON.</summary>
    private static void Apply(ItemRow item, IEnumerable<FieldChange> changes)
    {
        JsonObject? custom = null;
        foreach (var (field, _, value) in changes)
        {
            switch (field)
            {
                case "status": item.Status = (string)value!; break;
                case "summary": item.Summary = (string)value!; break;
                case "description": item.Description = (string?)value; break;
                case "resolution": item.Resolution = (string?)value; break;
                case "priority": item.Priority = value is decimal p ? (int)p : null; break;
                case "severity": item.Severity = value is decimal s ? (int)s : null; break;
                case "assignedTo": item.AssignedTo = JsonSerializer.Serialize(ItemValues.Logins(value)); break;
                case "supervisors": item.Supervisors = JsonSerializer.Serialize(ItemValues.Logins(value)); break;
                case "startDate": item.StartDate = (value as Instant?)?.ToUnixTimeMilliseconds(); break;
                case "endDate": item.EndDate = (value as Instant?)?.ToUnixTimeMilliseconds(); break;
                case "estimatedHours": item.EstimatedHours = value is decimal h ? (double)h : null; break;
                default:
                    if (!field.StartsWith(ItemValues.CustomPrefix, StringComparison.Ordinal))
                        throw new ArgumentException($"'{field}' is not a field that can be set.", nameof(changes));
                    custom ??= JsonNode.Parse(item.Fields) as JsonObject ?? [];
                    var name = field[ItemValues.CustomPrefix.Length..];
                    if (value is null) custom.Remove(name);
                    else custom[name] = value switch
                    {
                        string text => JsonValue.Create(text),
                        decimal number => JsonValue.Create(number),
                        bool flag => JsonValue.Create(flag),
                        Instant instant => JsonValue.Create(instant.ToUnixTimeMilliseconds()),
                        _ => throw new ArgumentException($"A custom field cannot hold {value.GetType().Name}.", nameof(changes)),
                    };
                    break;
            }
        }
        if (custom is not null) item.Fields = custom.ToJsonString();
    }

    private static void Stamp(ItemRow item, long now)
    {
        item.Version++;
        item.UpdatedAt = now;
    }

    private void Detach(IEnumerable<object> entities)
    {
        foreach (var entity in entities)
        {
            EntityEntry entry = db.Entry(entity);
            entry.State = EntityState.Detached;
        }
    }

    private static ProblemException Stale(ItemRow item, int expected) =>
        ProblemException.Conflict($"{item.Key} is at version {item.Version}, not {expected}: someone changed it since it was read. Read it again and retry; nothing was changed.");

    private static ProblemException TooBusy(string itemKey) =>
        ProblemException.Conflict($"{itemKey} kept changing under {Attempts} attempts to save this change; nothing of it was stored. Retry later.");

    private static ProblemException Refusal(ItemRow item, TransitionDecision decision) => decision.Verdict switch
    {
        TransitionVerdict.Hidden or TransitionVerdict.NotGranted => ProblemException.Forbidden($"{decision.Message} ({item.Key} is in '{item.Status}'.)"),
        _ => ProblemException.Conflict($"{item.Key}: {decision.Message}"),
    };
}
