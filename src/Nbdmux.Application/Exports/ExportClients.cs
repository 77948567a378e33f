using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Application.Exports;

/// <summary>
/// The clients a change to one export would cut off, on this node and on the others that share
/// the registry. A client that has just disconnected stays listed until the server has noticed
/// (nbd-server's process for it exits, nbdkit runs its close), and on another node until that
/// node has recorded it: a change asked for right after a disconnect waits that out instead of
/// refusing with 409 "in use". A forced change does not wait: it disconnects whoever is listed.
/// </summary>
public static class ExportClients
{
    private static readonly TimeSpan DisconnectGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The clients a change will disconnect: none, or with <paramref name="force"/> everyone
    /// connected, on every node. Without it, a connected client refuses the change (409): cutting
    /// a booted machine off its disk crashes it. A forced change also orders every other node to
    /// cut its own clients of the export as it applies the change, those it had not recorded yet
    /// included.
    /// </summary>
    public static async Task<DisplacedClients> ToDisconnectAsync(
        INbdServer nbdServer, IClusterClients cluster, IExportChange change, string exportName, bool force, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<ClientConnection> here = [];
        IReadOnlyList<NodeClient> elsewhere = [];
        await time.UntilAsync(
            async () =>
            {
                here = [.. nbdServer.Connections().Where(c => c.Export == exportName)];
                elsewhere = await cluster.ElsewhereAsync(exportName, cancellationToken);
                return here.Count + elsewhere.Count == 0 || force;
            },
            DisconnectGrace, cancellationToken);
        if (force)
        {
            change.CutClients(exportName);
            return new DisplacedClients(here, elsewhere);
        }

        return here.Count + elsewhere.Count == 0
            ? DisplacedClients.None
            : throw new ExportInUseException(exportName, here, cluster.LocalNode, elsewhere);
    }

    /// <summary>
    /// The last step of a forced change, once it is live: this node's clients are cut, and all of
    /// them are on record and in the log (the other nodes cut theirs as they apply the change).
    /// </summary>
    public static async Task DisconnectAsync(
        INbdServer nbdServer, AuditedChange audit, ILogger logger, string exportName, string change,
        DisplacedClients clients, CancellationToken cancellationToken)
    {
        if (clients.Here.Count + clients.Elsewhere.Count == 0)
        {
            return;
        }

        var peers = clients.Peers();
        audit.Disconnecting(peers);
        logger.LogWarning("Export {ExportName} {Change} by force: disconnecting {Peers}", exportName, change, peers);
        if (clients.Here.Count > 0)
        {
            await nbdServer.DisconnectAsync(clients.Here, cancellationToken);
        }
    }
}

/// <summary>The clients a forced change cuts: this node's, and those the other nodes had recorded.</summary>
public sealed record DisplacedClients(IReadOnlyList<ClientConnection> Here, IReadOnlyList<NodeClient> Elsewhere)
{
    public static DisplacedClients None { get; } = new([], []);

    /// <summary>Their addresses, those on other nodes with the node's name, e.g. "10.0.0.5:40000 on node b".</summary>
    public IReadOnlyList<string> Peers() => [.. Here.Select(c => c.Peer), .. Elsewhere.Select(c => $"{c.Peer} on node {c.Node}")];
}
