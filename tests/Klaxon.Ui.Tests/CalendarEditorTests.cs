using System.Net;

namespace Klaxon.Tests;

public sealed class CalendarEditorTests : IAsyncLifetime
{
    private readonly BrowserSession session = new();

    public async Task InitializeAsync()
    {
        await session.InitializeAsync();
        await BrowserDesk.CreateAsync(session, withGroup: false);
        // An entry of the parent calendar, which the project's calendar inherits.
        await Users.ExpectAsync(HttpStatusCode.OK, session.Server.Client.PutJsonAsync("/api/v1/calendars/system", """
            {"id":"system","name":"System calendar","timeZone":"UTC","weeklyHours":[
              {"weekday":"Monday","hours":"09:00-17:00"},{"weekday":"Tuesday","hours":"09:00-17:00"},{"weekday":"Wednesday","hours":"09:00-17:00"},
              {"weekday":"Thursday","hours":"09:00-17:00"},{"weekday":"Friday","hours":"09:00-17:00"}],
             "specialDays":[{"name":"New Year's Eve","yearly":"12-31","kind":"shortened","hours":"09:00-13:00"}]}
            """));
    }

    public Task DisposeAsync() => session.DisposeAsync();

    [Fact]
    public async Task AddingAHoliday_ChangesTheMonthViewAndTheWorkingTimeCalculator()
    {
        var page = await session.SignInAsync("pat");
        await page.GotoAsync("/calendars/project-sup?month=2026-12");

        var christmasEve = page.Locator("#month-view [data-date='2026-12-24']");
        Assert.Equal("weekly", await christmasEve.GetAttributeAsync("data-rule"));
        Assert.Contains("09:00-17:00", await christmasEve.TextContentAsync());
        var newYearsEve = page.Locator("#month-view [data-date='2026-12-31']");
        Assert.Equal("shortened", await newYearsEve.GetAttributeAsync("data-rule"));
        Assert.Equal("true", await newYearsEve.GetAttributeAsync("data-inherited"));
        Assert.Contains("from system", await newYearsEve.TextContentAsync());

        await page.FillAsync("[name='Form.Special[0].Name']", "Christmas Eve");
        await page.FillAsync("[name='Form.Special[0].Date']", "2026-12-24");
        await page.SelectOptionAsync("[name='Form.Special[0].Kind']", "holiday");
        await page.ClickAsync("#save-calendar");
        await page.WaitForURLAsync("**/calendars/project-sup?saved=true&month=2026-12");

        Assert.Equal("holiday", await christmasEve.GetAttributeAsync("data-rule"));
        Assert.Equal("false", await christmasEve.GetAttributeAsync("data-inherited"));
        Assert.DoesNotContain("09:00-17:00", await christmasEve.TextContentAsync());
        Assert.Contains("Christmas Eve", await christmasEve.TextContentAsync());
        Assert.Equal("holiday", (string)(await session.Server.Client.GetJsonAsync("/api/v1/calendars/project-sup/days?from=2026-12-24&to=2026-12-24"))["days"]![0]!["rule"]!);

        // Two working hours from Wednesday 16:00: one that day, the next on Friday after the holiday.
        await page.FillAsync("#calc-from", "2026-12-23T16:00");
        await page.FillAsync("#calc-hours", "2");
        await page.ClickAsync("text=Calculate");
        Assert.Contains("2026-12-25 10:00", await page.TextContentAsync("#calc-result"));
        await BrowserSession.ScreenshotAsync(page, "calendar-editor");
    }

    [Fact]
    public async Task AWrongEntry_IsRefusedWithTheReasonAndNothingIsStored()
    {
        var page = await session.SignInAsync("pat");
        await page.GotoAsync("/calendars/project-sup?month=2026-12");
        var before = await session.Server.Client.GetTextAsync("/api/v1/calendars/project-sup");

        await page.SelectOptionAsync("[name='Form.Weekly[0].Weekday']", "Saturday");
        await page.FillAsync("[name='Form.Weekly[0].Hours']", "17:00-09:00");
        await page.ClickAsync("#save-calendar");

        Assert.Contains("weeklyHours[0].hours", await page.TextContentAsync(".errors"));
        Assert.Equal(before, await session.Server.Client.GetTextAsync("/api/v1/calendars/project-sup"));
    }
}
