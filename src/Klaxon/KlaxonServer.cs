using Klaxon.Apis;
using Klaxon.Escalations;
using Klaxon.Core;
using Klaxon.Infrastructure;
using Klaxon.Model;
using Klaxon.Web;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using NodaTime;

namespace Klaxon;

/// <summary>How a Klaxon server runs: what <c>klaxon serve</c> resolves from its options.</summary>
public sealed record ServerSettings
{
    /// <summary>The bearer token every <c>/api</c> request needs.</summary>
    public required string AdminToken { get; init; }

    public required StorageLocation Storage { get; init; }

    /// <summary>Where Kestrel listens, such as <c>http://127.0.0.1:5080</c> (port 0 picks a free port).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The system clock, or a <see cref="ManualClock"/> that only moves through the clock API.</summary>
    public IClock Clock { get; init; } = SystemClock.Instance;

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>How the outbox delivers mail and webhooks (no mail without an SMTP server).</summary>
    public Delivery.DeliverySettings Delivery { get; init; } = new();
}

/// <summary>The Klaxon web host: services, then endpoint groups. <c>klaxon serve</c> and the tests build it here.</summary>
public static class KlaxonServer
{
    /// <summary>Applies migrations, loads the calendars and returns the host, not yet started.</summary>
    public static async Task<WebApplication> CreateAsync(ServerSettings settings, CancellationToken cancellationToken = default)
    {
        // Configuration files are read once: watching them costs an inotify instance per host.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.SetMinimumLevel(settings.MinimumLogLevel);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Keys live unencrypted in DATA/keys, like the rest of the data; saying so on every new folder is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        var catalog = await settings.Storage.OpenCatalogAsync(settings.Clock, cancellationToken);
        await AdminBootstrap.EnsureAsync(settings.Storage, settings.AdminToken, settings.Clock, cancellationToken);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton(settings.Clock);
        builder.Services.AddSingleton<CalendarWriteLock>();
        builder.Services.AddSingleton<CalendarSync>();
        builder.Services.AddSingleton<ConfigCache>();
        builder.Services.AddDbContextPool<KlaxonDbContext>(settings.Storage.Configure);

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemMapping.Explain);
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            KlaxonJson.Configure(o.SerializerOptions);
            // A misspelt property is refused, not silently ignored.
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        });

        var authentication = builder.Services.AddAuthentication(TokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenHandler>(TokenHandler.SchemeName, _ => { });
        builder.Services.AddWebUi(authentication);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<Access>();
        builder.Services.AddSingleton(settings.Storage);
        builder.Services.AddSingleton<EscalationGroups>();
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddScoped<Rescheduler>();
        builder.Services.AddSingleton<Dispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Dispatcher>());
        builder.Services.AddSingleton(settings.Delivery);
        builder.Services.AddSingleton<Delivery.OutboxSignal>();
        builder.Services.AddSingleton<Delivery.ChangeMessageSwitches>();
        builder.Services.AddSingleton<Delivery.OutboxWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Delivery.OutboxWorker>());
        builder.Services.AddAuthorization();
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.Storage.DataDirectory, "keys")));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapHealthChecks("/health");
        var api = app.MapGroup("/api/v1").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapCalendarsApi();
        api.MapCalendarArithmeticApi();
        api.MapClockApi(manual: settings.Clock is ManualClock);
        api.MapProjectsApi();
        api.MapUsersApi();
        api.MapGroupsApi();
        api.MapProjectMembersApi();
        api.MapTrackersApi();
        api.MapItemsApi();
        api.MapExpressionsApi();
        api.MapViewsApi();
        api.MapEscalationGroupsApi();
        api.MapEscalationScheduleApi();
        api.MapNotificationsApi();
        api.MapWebhooksApi();
        api.MapOnCallApi();
        app.MapWebUi();
        return app;
    }

    /// <summary>The addresses a started host listens on (with the real port when it was started on port 0).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
}
