using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// Waits for the other nodes' confirmations (their applied revision in the registry, written by
/// <see cref="RegistrySync"/>), up to <see cref="Timeout"/>; a node that is down is not waited for.
/// </summary>
public sealed class ClusterPropagation(NbdmuxOptions options, IClusterNodes nodes, TimeProvider time) : IClusterPropagation
{
    /// <summary>Several reconciliation polls: a node that has not served the change by then is in trouble, and is named.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>A few milliseconds on the confirmations' path, a few queries a second for the registry.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    private readonly bool _shared = options.RegistryDatabase().IsShared;

    public async Task<IReadOnlyList<string>> ConfirmAsync(long revision, CancellationToken cancellationToken)
    {
        if (!_shared)
        {
            return [];
        }

        var deadline = time.GetUtcNow() + Timeout;
        while (true)
        {
            var cluster = await nodes.ReadAsync(cancellationToken);
            var now = time.GetUtcNow();
            var pending = cluster.Nodes
                .Where(n => n.Name != cluster.LocalName && n.IsUp(now) && n.AppliedRevision < revision)
                .Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
            if (pending.Count == 0 || now >= deadline)
            {
                return pending;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }
}
