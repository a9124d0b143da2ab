using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Klaxon.Infrastructure;

/// <summary>Declares in the OpenAPI document that every <c>/api</c> operation needs the bearer token.</summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    private const string SchemeId = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API token: one made with POST /api/v1/users/{login}/tokens, or the first administrator's " +
                "(klaxon serve --admin-token, KLAXON_ADMIN_TOKEN, or the file DATA/admin-token).",
        };
        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, document)] = [] };
        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || item.Operations is null) continue;
            foreach (var operation in item.Operations.Values)
            {
                operation.Security ??= [];
                operation.Security.Add(requirement);
            }
        }
        return Task.CompletedTask;
    }
}
