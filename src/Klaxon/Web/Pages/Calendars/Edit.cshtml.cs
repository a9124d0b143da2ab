using System.Globalization;
using Klaxon.Apis;
using Klaxon.Core.Calendars;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using NodaTime.Text;

namespace Klaxon.Web.Pages.Calendars;

/// <summary>
/// A calendar: its month view (each date's hours and the rule and calendar that gave them, inherited entries
/// marked), an editor for weekly hours, special days and parent (saved through the calendars API's handler, so the
/// same checks and permissions apply), and a calculator that adds working time or working days.
/// </summary>
public sealed class EditModel(KlaxonDbContext db, Access access, CalendarCatalog catalog, CalendarWriteLock writes, IClock clock, Rescheduler rescheduler) : PageModel
{
    private static readonly LocalDateTimePattern InputPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    [FromRoute]
    public string Id { get; set; } = "";

    /// <summary>The month shown, such as 2026-12.</summary>
    [FromQuery(Name = "month")]
    public string? Month { get; set; }

    [BindProperty]
    public CalendarForm Form { get; set; } = new();

    public WorkingCalendar Calendar { get; private set; } = null!;
    public YearMonth ShownMonth { get; private set; }
    public List<ResolvedDay> Days { get; } = [];
    public List<string> Others { get; private set; } = [];
    public List<string> Errors { get; } = [];
    public string? Message { get; private set; }

    [FromQuery(Name = "from")]
    public string? CalcFrom { get; set; }

    [FromQuery(Name = "hours")]
    public decimal? CalcHours { get; set; }

    [FromQuery(Name = "days")]
    public int? CalcDays { get; set; }

    public AddAnswer? CalcResult { get; private set; }
    public string? CalcError { get; private set; }

    public async Task OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        var document = (await CalendarsApi.GetCalendar(Id, HttpContext, db, cancellationToken)).Value!;
        Form = CalendarForm.From(document);
        if (saved) Message = "Saved. The month view and every escalation counting time on this calendar follow the change.";
        Load();
        Calculate();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CalendarsApi.PutCalendar(Id, Form.ToDocument(Id), HttpContext, db, access, catalog, writes, clock, rescheduler, cancellationToken);
            return Redirect($"/calendars/{Id}?saved=true" + (Month is null ? "" : "&month=" + Uri.EscapeDataString(Month)));
        }
        catch (ProblemException refused) when (refused.Status != StatusCodes.Status404NotFound)
        {
            Errors.AddRange(refused.Errors.Count > 0 ? refused.Errors.Select(e => e.ToString()) : [refused.Message]);
            Response.StatusCode = refused.Status;
            Load();
            return Page();
        }
    }

    private void Load()
    {
        Calendar = CalendarQuestions.Find(catalog, Id);
        Others = [.. catalog.Definitions.Select(d => d.Id).Where(d => d != Id)];
        var today = clock.GetCurrentInstant().InZone(Calendar.Zone).Date;
        ShownMonth = Month is not null && YearMonthPattern.Iso.Parse(Month) is { Success: true } m ? m.Value : today.ToYearMonth();
        Month = YearMonthPattern.Iso.Format(ShownMonth);
        for (var d = ShownMonth.OnDayOfMonth(1); d.ToYearMonth() == ShownMonth; d = d.PlusDays(1)) Days.Add(Calendar.Day(d));
    }

    private void Calculate()
    {
        if (CalcFrom is null || (CalcHours is null && CalcDays is null)) return;
        var local = InputPattern.Parse(CalcFrom);
        if (!local.Success)
        {
            CalcError = $"'{CalcFrom}' is not a date and time such as 2026-03-27T15:00.";
            return;
        }
        var from = IsoText.FormatInstant(local.Value.InZoneLeniently(Calendar.Zone).ToInstant());
        try
        {
            CalcResult = CalcDays is { } days
                ? CalendarQuestions.Add(catalog, Id, from, null, days.ToString(CultureInfo.InvariantCulture))
                : CalendarQuestions.Add(catalog, Id, from, IsoText.FormatDuration(Duration.FromTicks((long)(CalcHours!.Value * NodaConstants.TicksPerHour))), null);
        }
        catch (ProblemException refused)
        {
            CalcError = refused.Message;
        }
        catch (CalendarNeverWorksException never)
        {
            CalcError = never.Message;
        }
    }

    public string MonthLink(int offset) => $"/calendars/{Id}?month={YearMonthPattern.Iso.Format(ShownMonth.OnDayOfMonth(1).PlusMonths(offset).ToYearMonth())}";

    public static string InputValue(LocalDateTime local) => InputPattern.Format(local);
}

/// <summary>The calendar editor's form: the document's values, with a few empty rows to add entries in.</summary>
public sealed class CalendarForm
{
    public const int BlankRows = 2;

    public string? Name { get; set; }
    public string? TimeZone { get; set; }
    public string? Parent { get; set; }
    public List<WeeklyRow> Weekly { get; set; } = [];
    public List<SpecialRow> Special { get; set; } = [];

    public static CalendarForm From(CalendarDocument d) => new()
    {
        Name = d.Name,
        TimeZone = d.TimeZone,
        Parent = d.Parent,
        Weekly = [.. (d.WeeklyHours ?? []).Select(w => new WeeklyRow { Weekday = w.Weekday, Hours = w.Hours, ValidFrom = w.ValidFrom, ValidUntil = w.ValidUntil })],
        Special = [.. (d.SpecialDays ?? []).Select(s => new SpecialRow
        {
            Name = s.Name, Date = s.Date ?? s.Yearly, Yearly = s.Yearly is not null, FromYear = s.FromYear, UntilYear = s.UntilYear, Kind = s.Kind, Hours = s.Hours,
        })],
    };

    /// <summary>The document the calendars API reads; rows left empty are not entries.</summary>
    public CalendarDocument ToDocument(string id) => new()
    {
        Id = id,
        Name = Name,
        TimeZone = Blank(TimeZone),
        Parent = Blank(Parent),
        WeeklyHours = [.. Weekly.Where(w => !string.IsNullOrWhiteSpace(w.Weekday) || !string.IsNullOrWhiteSpace(w.Hours))
            .Select(w => new WeeklyHoursDocument { Weekday = Blank(w.Weekday), Hours = Blank(w.Hours) ?? "", ValidFrom = Blank(w.ValidFrom), ValidUntil = Blank(w.ValidUntil) })],
        SpecialDays = [.. Special.Where(s => !string.IsNullOrWhiteSpace(s.Name) || !string.IsNullOrWhiteSpace(s.Date))
            .Select(s => new SpecialDayDocument
            {
                Name = Blank(s.Name),
                Date = s.Yearly ? null : Blank(s.Date),
                Yearly = s.Yearly ? Blank(s.Date) : null,
                FromYear = s.Yearly ? s.FromYear : null,
                UntilYear = s.Yearly ? s.UntilYear : null,
                Kind = Blank(s.Kind),
                Hours = s.Kind == "holiday" ? null : Blank(s.Hours),
            })],
    };

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

public sealed class WeeklyRow
{
    public string? Weekday { get; set; }
    public string? Hours { get; set; }
    public string? ValidFrom { get; set; }
    public string? ValidUntil { get; set; }
}

public sealed class SpecialRow
{
    public string? Name { get; set; }

    /// <summary>YYYY-MM-DD, or MM-DD when <see cref="Yearly"/>.</summary>
    public string? Date { get; set; }
    public bool Yearly { get; set; }
    public int? FromYear { get; set; }
    public int? UntilYear { get; set; }
    public string? Kind { get; set; }
    public string? Hours { get; set; }
}
