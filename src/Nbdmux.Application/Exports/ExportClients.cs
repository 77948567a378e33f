using Nbdmux.Application.Common;
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
}
