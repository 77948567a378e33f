using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Nbdmux.Api.OpenApi;

/// <summary>/healthz is a health-check endpoint, which ApiExplorer does not see; it is described here by hand.</summary>
public sealed class HealthEndpointDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= [];
        document.Paths["/healthz"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "Health",
                    Tags = new HashSet<OpenApiTagReference> { new("Health", document) },
                    Summary = "Whether nbd-server is running and answers NBD handshakes.",
                    // Probes (systemd, load balancers) call it without credentials.
                    Security = [],
                    Responses = new OpenApiResponses
                    {
                        ["200"] = PlainText("Healthy: the body is `ok`."),
                        ["503"] = PlainText("Unhealthy: the body says why, e.g. `nbd-server is restarting: ...`."),
                    },
                },
            },
        };
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = "Health" });
        return Task.CompletedTask;
    }

    private static OpenApiResponse PlainText(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
        },
    };
}
