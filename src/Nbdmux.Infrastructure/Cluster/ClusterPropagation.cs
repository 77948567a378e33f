using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// Waits for the other nodes' confirmations (their applied revision in the registry, written and
/// announced by <see cref="RegistrySync"/>), up to <see cref="Timeout"/>; a node that is down is not waited for.
/// The change is committed before this runs: a registry that drops out meanwhile costs the
/// confirmation, never the answer, which must not say that nothing changed.
/// </summary>
public sealed class ClusterPropagation(NbdmuxOptions options, IClusterNodes nodes, AppliedRevisions applied, TimeProvider time) : IClusterPropagation
{
    /// <summary>Several reconciliation polls: a node that has not served the change by then is in trouble, and is named.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>How often the nodes are read again without an announcement (one lost while a node reconnects, say).</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Named in the answer when no read of the nodes succeeded: which of them serve the change is unknown.</summary>
    public const string Unknown = "unknown (the registry was out of reach)";

    private readonly bool _shared = options.RegistryDatabase().IsShared;

    public async Task<IReadOnlyList<string>> ConfirmAsync(long revision, CancellationToken cancellationToken)
    {
        if (!_shared)
        {
            return [];
        }

        var deadline = time.GetUtcNow() + Timeout;
        List<string> pending = [Unknown];
        while (true)
        {
            var announced = applied.Next;
            try
            {
                var cluster = await nodes.ReadAsync(cancellationToken);
                var up = time.GetUtcNow();
                pending = cluster.Nodes
                    .Where(n => n.Name != cluster.LocalName && n.IsUp(up) && n.AppliedRevision < revision)
                    .Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (StorageFailure.Describe(e) is not null)
            {
                // Connections the outage broke fail once each; the next read takes a fresh one.
            }

            if (pending.Count == 0 || time.GetUtcNow() >= deadline)
            {
                return pending;
            }

            await Task.WhenAny(announced, Task.Delay(Poll, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
