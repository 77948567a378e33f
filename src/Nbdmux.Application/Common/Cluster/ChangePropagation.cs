namespace Nbdmux.Application.Common.Cluster;

/// <summary>
/// One request's change on its way to the other nodes: the registry revision it committed (set by
/// the store) and, once waited for, the nodes that did not confirm serving it in time.
/// </summary>
public sealed class ChangePropagation
{
    public long? CommittedRevision { get; private set; }

    public IReadOnlyList<string> Unconfirmed { get; private set; } = [];

    public void Committed(long revision) => CommittedRevision = revision;

    public void NotConfirmedBy(IReadOnlyList<string> nodes) => Unconfirmed = nodes;
}
