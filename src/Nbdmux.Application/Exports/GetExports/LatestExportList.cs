using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.GetExports;

/// <summary>
/// The export list last built, handed out again while what it was built from is the same: the
/// same registry list, nbd-server status and connections, here and on the other nodes (each
/// replaced whole when it changes, so a reference comparison tells), for the same target address.
/// </summary>
public sealed class LatestExportList
{
    private volatile Built? _latest;

    public ExportList For(
        IReadOnlyList<Export> exports, NbdServerStatus status, IReadOnlyList<ClientConnection> connections, TargetAddress target, ClusterConnections? cluster = null)
    {
        cluster ??= ClusterConnections.None;
        if (_latest is { } latest && ReferenceEquals(latest.Exports, exports) &&
            ReferenceEquals(latest.Status, status) && ReferenceEquals(latest.Connections, connections) && latest.Target == target &&
            latest.Cluster.LocalNode == cluster.LocalNode && ReferenceEquals(latest.Cluster.Elsewhere, cluster.Elsewhere))
        {
            return latest.List;
        }

        var list = new ExportList(exports.Select(export => ExportDto.From(export, status, connections, target, cluster)).ToList());
        _latest = new Built(exports, status, connections, target, cluster, list);
        return list;
    }

    private sealed record Built(
        IReadOnlyList<Export> Exports, NbdServerStatus Status, IReadOnlyList<ClientConnection> Connections, TargetAddress Target, ClusterConnections Cluster, ExportList List);
}
