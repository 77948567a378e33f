using Nbdmux.Domain.Nodes;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>The clients of the other nodes that share the registry, as each of them recorded its own.</summary>
public interface IClusterClients
{
    /// <summary>This node's name when the registry is shared; null on a registry of one node, which has no others to name.</summary>
    string? LocalNode { get; }

    /// <summary>
    /// The clients the other nodes that are up have recorded (of <paramref name="export"/> only,
    /// when given), by node; none on a registry of one node. A node that is down is left out: its
    /// clients are its own until it is back.
    /// </summary>
    Task<IReadOnlyList<NodeClient>> ElsewhereAsync(string? export, CancellationToken cancellationToken);
}
