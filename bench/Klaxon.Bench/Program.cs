using BenchmarkDotNet.Running;
using Klaxon.Bench;
using Klaxon.Core.Calendars;
using NodaTime;

// `dotnet run -c Release --project bench/Klaxon.Bench -- --filter '*'` runs BenchmarkDotNet;
// `-- check` only verifies that the fast and the day-walking answers agree and prints the index size;
// `-- items` and `-- escalations` drive the real server on SQLite and PostgreSQL (see ItemsLoad, EscalationLoad);
// `-- outbox` measures the outbox worker's mails/s and webhooks/s to local receivers (see OutboxLoad).
if (args is ["items", ..])
{
    await ItemsLoad.RunAsync(args);
    return;
}
if (args is ["escalations", ..])
{
    await EscalationLoad.RunAsync(args);
    return;
}
if (args is ["outbox", ..])
{
    await OutboxLoad.RunAsync(args);
    return;
}
if (args is ["check"])
{
    var calendar = new CalendarCatalog([BenchCalendars.Definition]).Get("bench");
    var walker = new DayWalkingCalendar(calendar);
    foreach (var hours in new[] { 4, 72, 80, 2000 })
    {
        foreach (var start in BenchCalendars.RandomStarts(2000, hours))
        {
            var fast = calendar.Add(start, Duration.FromHours(hours));
            var slow = walker.Add(start, Duration.FromHours(hours));
            if (fast != slow) throw new InvalidOperationException($"Add({start}, {hours}h): index {fast}, walk {slow}");
        }
    }
    Console.WriteLine($"agree on 8000 cases; index for {calendar.IndexBytes} bytes after {calendar.IndexBuilds} build(s)");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(CalendarBenchmarks).Assembly).Run(args);
