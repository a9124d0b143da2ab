using System.Text.Json;
using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Core.Tracking;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Web.Pages.Items;

/// <summary>A bug the escalation form offers as an existing bug report.</summary>
public sealed record BugChoice(string Key, string Summary, string Status);

/// <summary>A customer notice recorded in the item's history: when, by which rule, to whom, with which subject.</summary>
public sealed record NoticeEntry(string At, string Rule, string Recipients, string Subject);

/// <summary>
/// The item's Support desk tab, for items whose tracker has the support template's shape (<see cref="SupportForms"/>):
/// escalate to engineering with a new or existing bug report, the engineering assessment, and the impact categories,
/// workaround and target release that trigger the proactive customer notice, with the notices sent so far. Every
/// change goes through the Items API's handlers, so it is checked, permitted and recorded as the API would.
/// </summary>
public sealed class SupportModel(KlaxonDbContext db, Access access, IClock clock, Rescheduler rescheduler, CalendarCatalog catalog, ConfigCache cache) : PageModel
{
    private static readonly LocalDateTimePattern InputPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    [FromRoute]
    public string Key { get; set; } = "";

    public ItemAnswer Item { get; private set; } = null!;
    public Tracker Tracker { get; private set; } = null!;
    public SupportForms Forms { get; private set; } = null!;
    public bool SeesEscalations { get; private set; }
    public bool MayEdit { get; private set; }
    public DateTimeZone ProjectZone { get; private set; } = DateTimeZone.Utc;
    public Instant Now { get; private set; }

    /// <summary>The escalation transitions the user may run from the item's status now.</summary>
    public List<TransitionAnswer> Escalations { get; private set; } = [];

    /// <summary>The project's trackers a bug report may be filed in: those with the notice form first, else every other tracker.</summary>
    public List<Tracker> BugTrackers { get; private set; } = [];

    /// <summary>The bug trackers' choice fields the item has too, filled in from the item when a bug report is filed.</summary>
    public List<CustomField> CarriedFields { get; private set; } = [];

    public List<BugChoice> Bugs { get; private set; } = [];
    public List<LinkAnswer> BugReports { get; private set; } = [];
    public List<NoticeEntry> Notices { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Which form the error belongs to: escalate, assess or notice.</summary>
    public string? ErrorIn { get; private set; }

    [BindProperty]
    public EscalateForm Escalate { get; set; } = new();

    [BindProperty]
    public AssessForm Assess { get; set; } = new();

    [BindProperty]
    public NoticeForm Notice { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(string? escalated, string? via, bool assessed, bool saved, CancellationToken cancellationToken)
    {
        if (escalated is not null) Message = $"Ran “{via ?? "the escalation"}” with bug report {escalated}.";
        if (assessed) Message = "Assessment saved.";
        if (saved) Message = "Saved. The proactive notification rules mail the customers of the product; each notice is listed below once it is sent.";
        await LoadAsync(cancellationToken);
        if (!Forms.Any) return NotFound();
        FillForms(null);
        return Page();
    }

    public async Task<IActionResult> OnPostEscalateAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var choices = Escalations.Select(t => t.Name).Distinct().ToList();
        var transition = Escalate.Transition is { } named && choices.Contains(named) ? named : choices.FirstOrDefault();
        if (transition is null)
            return Refused("escalate", StatusCodes.Status409Conflict, $"You may not escalate {Key} from status {Item.Status}: no transition that needs a bug report is open to you here.");
        var available = Escalations.First(t => t.Name == transition);
        string? filed = null;
        try
        {
            string? bug = null;
            if (Escalate.Bug == "new")
            {
                // Nothing is filed when the transition would still be refused for another reason.
                var otherwise = available.Missing.Where(m => m != SupportForms.Requirement).ToList();
                if (otherwise.Count > 0)
                    return Refused("escalate", StatusCodes.Status409Conflict, $"{transition} also needs {string.Join(", ", otherwise)}; no bug report was filed.");
                bug = filed = await FileBugAsync(cancellationToken);
            }
            else if (Escalate.Bug == "existing" && !string.IsNullOrWhiteSpace(Escalate.Existing))
            {
                bug = Escalate.Existing.Trim();
            }
            if (bug is not null && !BugReports.Any(l => l.Item == bug))
                await ItemsApi.CreateLink(Key, new CreateLinkRequest { Type = SupportForms.BugReport, Item = bug }, db, access, clock, cancellationToken);
            bug ??= BugReports.FirstOrDefault()?.Item;
            // Without a bug report the API's own refusal says what is missing.
            await ItemsApi.RunTransition(Key, new RunTransitionRequest { Transition = transition }, HttpContext, db, access, clock, rescheduler, cancellationToken);
            return Redirect($"/items/{Key}/support?escalated={Uri.EscapeDataString(bug ?? "")}&via={Uri.EscapeDataString(transition)}");
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            await LoadAsync(cancellationToken);
            if (filed is null) return Refused("escalate", refused.Status, refused.Message);
            // The bug report stays filed (and linked, if that went through): the form offers it instead of filing another.
            Escalate.Bug = BugReports.Any(l => l.Item == filed) ? "linked" : "existing";
            Escalate.Existing = filed;
            return Refused("escalate", refused.Status, $"{refused.Message} Bug report {filed} was filed; it is offered below.");
        }
    }

    public async Task<IActionResult> OnPostAssessAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!Forms.Assessment) return NotFound();
        var fields = new Dictionary<string, JsonElement>
        {
            ["assessment"] = Json(string.IsNullOrWhiteSpace(Assess.Assessment) ? null : Assess.Assessment.Trim()),
        };
        if (string.IsNullOrWhiteSpace(Assess.ExpectedResolution))
        {
            fields["expectedResolution"] = Json(null);
        }
        else if (InputPattern.Parse(Assess.ExpectedResolution) is { Success: true } local)
        {
            var zone = Assess.Zone == "utc" ? DateTimeZone.Utc : ProjectZone;
            fields["expectedResolution"] = Json(IsoText.FormatInstant(local.Value.InZoneLeniently(zone).ToInstant()));
        }
        else
        {
            fields["expectedResolution"] = Json(Assess.ExpectedResolution);
        }
        if (Forms.Engineer) fields["engineer"] = Json(string.IsNullOrWhiteSpace(Assess.Engineer) ? null : Assess.Engineer.Trim());
        try
        {
            await ItemsApi.UpdateItem(Key, new UpdateItemRequest { Fields = fields, Version = Assess.Version }, HttpContext, db, access, clock, rescheduler, cancellationToken);
            return Redirect($"/items/{Key}/support?assessed=true");
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            await LoadAsync(cancellationToken);
            return Refused("assess", refused.Status, refused.Message);
        }
    }

    public async Task<IActionResult> OnPostNoticeAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!Forms.Notice) return NotFound();
        // Only what changed is sent: an unchanged workaround or release must not send customers an update.
        var fields = new Dictionary<string, JsonElement>();
        foreach (var impact in Forms.Impacts)
        {
            var now = Notice.Categories.Contains(impact.Name);
            var was = Item.Fields.GetValueOrDefault(impact.Name)?.GetValue<bool>() == true;
            if (now != was) fields[impact.Name] = Json(now);
        }
        foreach (var (name, value) in new[] { ("workaround", Notice.Workaround), ("targetRelease", Notice.TargetRelease) })
        {
            var text = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
            if (text != Text(name)) fields[name] = Json(text);
        }
        if (fields.Count == 0) return Redirect($"/items/{Key}/support");
        try
        {
            await ItemsApi.UpdateItem(Key, new UpdateItemRequest { Fields = fields, Version = Notice.Version }, HttpContext, db, access, clock, rescheduler, cancellationToken);
            return Redirect($"/items/{Key}/support?saved=true");
        }
        catch (ProblemException refused) when (refused.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
        {
            await LoadAsync(cancellationToken);
            return Refused("notice", refused.Status, refused.Message);
        }
    }

    /// <summary>A custom field's value as text ("" when empty), for the forms.</summary>
    public string? Text(string field) => Item.Fields.GetValueOrDefault(field)?.ToString();

    private async Task<string> FileBugAsync(CancellationToken cancellationToken)
    {
        var tracker = BugTrackers.FirstOrDefault(t => t.Key == Escalate.Tracker) ?? BugTrackers.FirstOrDefault()
            ?? throw ProblemException.Conflict($"Project {Item.Project} has no other tracker to file a bug report in.");
        var fields = new Dictionary<string, JsonElement>();
        foreach (var field in tracker.Fields.Where(f => f.Type == CustomFieldType.Choice))
        {
            if (Escalate.Fields.TryGetValue(field.Name, out var value) && !string.IsNullOrWhiteSpace(value)) fields[field.Name] = Json(value);
        }
        var request = string.IsNullOrWhiteSpace(Escalate.Description)
            ? new CreateItemRequest { Tracker = tracker.Key, Summary = Escalate.Summary?.Trim(), Fields = fields }
            : new CreateItemRequest { Tracker = tracker.Key, Summary = Escalate.Summary?.Trim(), Description = Escalate.Description.Trim(), Fields = fields };
        var created = await ItemsApi.CreateItem(Item.Project, request, HttpContext, db, access, clock, rescheduler, cache, cancellationToken);
        return created.Value!.Key;
    }

    private IActionResult Refused(string form, int status, string message)
    {
        FillForms(form);
        Assess.Version = Notice.Version = Item.Version;
        Error = message;
        ErrorIn = form;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>What the forms show, but for <paramref name="keep"/> (sent back as it was after a refusal): the item's current values.</summary>
    private void FillForms(string? keep)
    {
        if (keep != "escalate") Escalate = new EscalateForm
        {
            Bug = BugReports.Count > 0 ? "linked" : "new",
            Summary = Item.Summary,
            Description = $"Reported in {Item.Key}." + (string.IsNullOrWhiteSpace(Item.Description) ? "" : "\n\n" + Item.Description),
            Fields = CarriedFields.Where(f => Text(f.Name) is not null).ToDictionary(f => f.Name, f => Text(f.Name)!),
        };
        var expected = Item.Fields.GetValueOrDefault("expectedResolution")?.ToString() is { } iso && InstantPattern.ExtendedIso.Parse(iso) is { Success: true } at
            ? InputPattern.Format(at.Value.InZone(ProjectZone).LocalDateTime)
            : null;
        if (keep != "assess") Assess = new AssessForm { Assessment = Text("assessment"), ExpectedResolution = expected, Engineer = Text("engineer"), Version = Item.Version };
        if (keep != "notice") Notice = new NoticeForm
        {
            Categories = [.. Forms.Impacts.Where(f => Item.Fields.GetValueOrDefault(f.Name)?.GetValue<bool>() == true).Select(f => f.Name)],
            Workaround = Text("workaround"),
            TargetRelease = Text("targetRelease"),
            Version = Item.Version,
        };
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetCurrentInstant();
        Item = (await ItemsApi.GetItem(Key, HttpContext, db, access, clock, cancellationToken)).Value!;
        var trackers = (await db.Trackers.AsNoTracking().Where(t => t.ProjectKey == Item.Project).ToListAsync(cancellationToken)).Select(t => TrackerStorage.Read(t)).ToList();
        Tracker = trackers.Single(t => t.Key == Item.Tracker);
        Forms = SupportForms.For(Tracker);
        var permissions = await access.PermissionsAsync(Item.Project, cancellationToken);
        SeesEscalations = permissions.Contains(Permissions.ViewEscalationSchedule);
        MayEdit = permissions.Contains(Permissions.EditItems);
        ProjectZone = (await EscalationClock.CalendarsAsync(db, catalog, Item.Project, cancellationToken)).Project.Zone;
        BugReports = [.. Item.Links.Where(l => l.Type == SupportForms.BugReport && l.Direction == LinkAnswer.Outgoing)];
        if (Forms.Escalations.Count > 0)
        {
            var names = Forms.Escalations.Select(t => t.Name).ToHashSet();
            Escalations = [.. (await ItemsApi.ListTransitions(Key, db, access, clock, cancellationToken)).Value!.Where(t => names.Contains(t.Name))];
            var others = trackers.Where(t => t.Key != Tracker.Key).ToList();
            BugTrackers = others.Where(t => SupportForms.For(t).Notice).ToList() is { Count: > 0 } bugLike ? bugLike : others;
            CarriedFields = [.. BugTrackers.SelectMany(t => t.Fields).Where(f => f.Type == CustomFieldType.Choice && Tracker.Field(f.Name)?.Type == CustomFieldType.Choice).DistinctBy(f => f.Name)];
            var bugKeys = BugTrackers.Select(t => t.Key).ToList();
            Bugs = (await db.Items.AsNoTracking().Where(i => i.ProjectKey == Item.Project && bugKeys.Contains(i.TrackerKey))
                    .OrderByDescending(i => i.Id).Take(100).Select(i => new { i.Key, i.Summary, i.Status }).ToListAsync(cancellationToken))
                .Select(b => new BugChoice(b.Key, b.Summary, b.Status)).ToList();
        }
        if (Forms.Notice)
        {
            var history = (await ItemsApi.GetHistory(Key, db, access, clock, cancellationToken)).Value!;
            Notices = [.. history.Where(h => h.Field == Klaxon.Escalations.Notifications.NotifiedField).Reverse().Select(Read)];
        }
    }

    /// <summary>"carl, cora: Problem notice …" by "escalation:GROUP/RULE" as a row.</summary>
    private static NoticeEntry Read(HistoryAnswer h)
    {
        var text = h.NewValue ?? "";
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        var rule = h.Actor.StartsWith("escalation:", StringComparison.Ordinal) ? h.Actor["escalation:".Length..].Replace("/", " › ", StringComparison.Ordinal) : h.Actor;
        return colon < 0 ? new NoticeEntry(h.At, rule, "", text) : new NoticeEntry(h.At, rule, text[..colon], text[(colon + 2)..]);
    }

    private static JsonElement Json(object? value) => JsonSerializer.SerializeToElement(value);
}

/// <summary>
/// The escalation form: which bug report (<c>linked</c>: the one the incident already has, <c>new</c>: file one now,
/// <c>existing</c>: link <see cref="Existing"/>), the new bug's tracker, summary, description and choice fields, and
/// the transition to run.
/// </summary>
public sealed class EscalateForm
{
    public string Bug { get; set; } = "new";
    public string? Existing { get; set; }
    public string? Tracker { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public Dictionary<string, string> Fields { get; set; } = [];
    public string? Transition { get; set; }
}

/// <summary>The assessment form: the text, the expected resolution as a local date-time in the project calendar's zone or UTC, the engineer.</summary>
public sealed class AssessForm
{
    public string? Assessment { get; set; }
    public string? ExpectedResolution { get; set; }
    public string Zone { get; set; } = "calendar";
    public string? Engineer { get; set; }
    public int? Version { get; set; }
}

/// <summary>The proactive notice form: the impact categories set (field names), the workaround and the target release.</summary>
public sealed class NoticeForm
{
    public List<string> Categories { get; set; } = [];
    public string? Workaround { get; set; }
    public string? TargetRelease { get; set; }
    public int? Version { get; set; }
}
