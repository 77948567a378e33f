using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Api.Health;

/// <summary>Healthy only when the supervisor reports nbd-server running and its port negotiates right now.</summary>
public sealed class NbdServerHealthCheck(INbdServer nbdServer, NbdProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var status = nbdServer.Status;
        if (!status.IsRunning)
        {
            return HealthCheckResult.Unhealthy(
                $"nbd-server is {status.State.ToString().ToLowerInvariant()}{(status.LastError is { } error ? $": {error}" : "")}");
        }

        var outcome = await probe.NegotiateAsync(NbdServerConfig.PlaceholderSection, cancellationToken);
        return outcome == ProbeOutcome.Refused
            ? HealthCheckResult.Healthy("ok")
            : HealthCheckResult.Unhealthy($"nbd-server does not answer on {probe.Endpoint} ({outcome})");
    }
}
