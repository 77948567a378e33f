using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain;

namespace Nbdmux.Api.Health;

/// <summary>Healthy only when the supervisor reports nbd-server running and its port negotiates right now.</summary>
public sealed class NbdServerHealthCheck(INbdServer nbdServer) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var status = nbdServer.Status;
        if (!status.IsRunning)
        {
            return HealthCheckResult.Unhealthy(
                $"nbd-server is {EnumWords.Of(status.State)}{(status.LastError is { } error ? $": {error}" : "")}");
        }

        return await nbdServer.AnswersAsync(cancellationToken)
            ? HealthCheckResult.Healthy("ok")
            : HealthCheckResult.Unhealthy($"nbd-server {status.Pid} does not answer NBD handshakes");
    }
}
