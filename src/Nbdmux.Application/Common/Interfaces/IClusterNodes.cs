using Nbdmux.Domain.Nodes;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>The nodes that share the registry, as their heartbeats left them.</summary>
public interface IClusterNodes
{
    Task<ClusterView> ReadAsync(CancellationToken cancellationToken);
}

/// <param name="Revision">The registry's revision now: a node that serves less lags behind.</param>
/// <param name="LocalName">The node answering.</param>
public sealed record ClusterView(IReadOnlyList<Node> Nodes, long Revision, string LocalName);
