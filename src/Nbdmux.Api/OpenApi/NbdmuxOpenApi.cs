using Scalar.AspNetCore;

namespace Nbdmux.Api.OpenApi;

/// <summary>The API contract at /openapi/v1.json and a reference page at /scalar that works without internet access.</summary>
public static class NbdmuxOpenApi
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddNbdmuxOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "nbdmux";
                document.Info.Description = "Registers raw disk images as NBD exports served by one supervised nbd-server.";
                // The address depends on who asks; the committed docs/openapi.json must not.
                document.Servers = [];
                return Task.CompletedTask;
            });
            openApi.AddDocumentTransformer<HealthEndpointDocumentTransformer>();
            openApi.AddDocumentTransformer<BearerSecurityDocumentTransformer>();
            openApi.AddSchemaTransformer<ProblemErrorMemberSchemaTransformer>();
        });

    public static WebApplication MapNbdmuxOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(scalar => scalar
            .WithTitle("nbdmux API")
            .WithOpenApiRoutePattern(DocumentPath)
            // nbdmux runs on hosts without internet access: everything comes from the daemon itself.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        return app;
    }
}
