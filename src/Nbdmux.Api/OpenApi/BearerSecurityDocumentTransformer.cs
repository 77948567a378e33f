using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Nbdmux.Api.OpenApi;

/// <summary>
/// The export and event endpoints take the admin password as a bearer token (`Authorization: Bearer &lt;password&gt;`)
/// and answer 401 with problem details without it.
/// </summary>
public sealed class BearerSecurityDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string SchemeName = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin password (NBDMUX_ADMIN_PASSWORD of the daemon), sent as the bearer token.",
        };

        var operations = (document.Paths ?? [])
            .Where(path => Authentication.UnauthorizedProblem.IsApiPath(path.Key))
            .SelectMany(path => path.Value.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>());
        foreach (var operation in operations)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
            operation.Responses ??= [];
            operation.Responses["401"] = new OpenApiResponse
            {
                Description = "No or wrong admin password.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), document) },
                },
            };
        }

        return Task.CompletedTask;
    }
}
