using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nbdmux.Api.Health;

public static class HealthEndpoint
{
    /// <summary>`ok` with 200, or 503 with the reason as plain text (what existing clients expect).</summary>
    public static IEndpointConventionBuilder MapNbdmuxHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (context, report) =>
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                var reasons = report.Entries.Values
                    .Where(entry => entry.Status != HealthStatus.Healthy)
                    .Select(entry => entry.Description ?? entry.Exception?.Message ?? "unhealthy");
                return context.Response.WriteAsync(report.Status == HealthStatus.Healthy ? "ok" : string.Join("; ", reasons));
            },
        });
}
