using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports;

/// <summary>
/// The clients a change to one export would cut off. A client that has just disconnected stays
/// listed until the server has noticed (nbd-server's process for it exits, nbdkit runs its
/// close): a change asked for right after a disconnect waits that out instead of refusing with
/// 409 "in use". A forced change does not wait: it disconnects whoever is listed.
/// </summary>
public static class ExportClients
{
    private static readonly TimeSpan DisconnectGrace = TimeSpan.FromMilliseconds(250);

    public static async Task<IReadOnlyList<ClientConnection>> ConnectedToAsync(
        INbdServer nbdServer, string exportName, bool waitOutDisconnects, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<ClientConnection> connected = [];
        await time.UntilAsync(
            () => (connected = [.. nbdServer.Connections().Where(c => c.Export == exportName)]).Count == 0 || !waitOutDisconnects,
            DisconnectGrace, cancellationToken);
        return connected;
    }

    /// <summary>
    /// The clients a change will disconnect: none, or with <paramref name="force"/> everyone
    /// connected. Without it, a connected client refuses the change (409): cutting a booted
    /// machine off its disk crashes it.
    /// </summary>
    public static async Task<IReadOnlyList<ClientConnection>> ToDisconnectAsync(
        INbdServer nbdServer, string exportName, bool force, TimeProvider time, CancellationToken cancellationToken)
    {
        var connected = await ConnectedToAsync(nbdServer, exportName, waitOutDisconnects: !force, time, cancellationToken);
        return connected.Count == 0 || force ? connected : throw new ExportInUseException(exportName, connected);
    }

    /// <summary>The last step of a forced change, once it is live: the clients are cut, on record and in the log.</summary>
    public static async Task DisconnectAsync(
        INbdServer nbdServer, AuditedChange audit, ILogger logger, string exportName, string change,
        IReadOnlyList<ClientConnection> clients, CancellationToken cancellationToken)
    {
        if (clients.Count == 0)
        {
            return;
        }

        audit.Disconnecting(clients);
        logger.LogWarning("Export {ExportName} {Change} by force: disconnecting {Peers}", exportName, change, clients.Select(c => c.Peer));
        await nbdServer.DisconnectAsync(clients, cancellationToken);
    }
}
