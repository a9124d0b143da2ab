using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Klaxon.Infrastructure;

/// <summary>Healthy while the database answers.</summary>
public sealed class DatabaseHealthCheck(KlaxonDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database does not answer.");
}
