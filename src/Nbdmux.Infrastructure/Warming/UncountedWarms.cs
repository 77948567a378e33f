using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>Where no metrics endpoint counts warms (tools and tests that host the infrastructure alone).</summary>
public sealed class UncountedWarms : IWarmMetrics
{
    public void Fetched(long bytes)
    {
    }

    public void Ended(string outcome, TimeSpan duration)
    {
    }
}
