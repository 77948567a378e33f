namespace Nbdmux.Application.Common.Interfaces;

/// <summary>How a committed change reaches the other nodes that share the registry.</summary>
public interface IClusterPropagation
{
    /// <summary>
    /// Waits until every node that is up serves the registry at <paramref name="revision"/>, for a
    /// bounded time; returns the nodes that did not confirm by then (none on a registry of one node).
    /// </summary>
    Task<IReadOnlyList<string>> ConfirmAsync(long revision, CancellationToken cancellationToken);
}
