namespace Nbdmux.Application.Common.Interfaces;

/// <summary>What the warmer reports for /metrics.</summary>
public interface IWarmMetrics
{
    /// <summary>Bytes read from sources (as sent: compressed when the source is).</summary>
    void Fetched(long bytes);

    /// <summary>A warm ended: <c>ready</c>, <c>failed</c> or <c>cancelled</c>, after <paramref name="duration"/>.</summary>
    void Ended(string outcome, TimeSpan duration);
}
