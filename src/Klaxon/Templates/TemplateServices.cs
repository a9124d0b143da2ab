using Klaxon.Core.Calendars;
using Klaxon.Escalations;
using Klaxon.Infrastructure;
using NodaTime;

namespace Klaxon.Templates;

/// <summary>The services a template needs outside a running server (<c>klaxon init</c>): storage, calendars, clock, rescheduler.</summary>
public static class TemplateServices
{
    public static ServiceProvider Build(StorageLocation storage, CalendarCatalog catalog, IClock clock)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(storage);
        services.AddSingleton(catalog);
        services.AddSingleton(clock);
        services.AddSingleton<CalendarWriteLock>();
        services.AddSingleton<CalendarSync>();
        services.AddSingleton<ConfigCache>();
        services.AddSingleton<EscalationGroups>();
        services.AddSingleton<DispatchSignal>();
        services.AddDbContextPool<KlaxonDbContext>(storage.Configure);
        services.AddScoped<Rescheduler>();
        return services.BuildServiceProvider();
    }
}
