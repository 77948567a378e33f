using System.Diagnostics;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports;

/// <summary>
/// The clients a change to one export would cut off. A client that has just disconnected stays
/// listed until its nbd-server process has exited, a few milliseconds later: a change asked for
/// right after a disconnect waits that out instead of refusing with 409 "in use". A forced change
/// does not wait: it disconnects whoever is listed.
/// </summary>
public static class ExportClients
{
    private static readonly TimeSpan DisconnectGrace = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(5);

    public static async Task<IReadOnlyList<ClientConnection>> ConnectedToAsync(
        INbdServer nbdServer, string exportName, bool waitOutDisconnects, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var connected = nbdServer.Connections().Where(c => c.Export == exportName).ToList();
            if (connected.Count == 0 || !waitOutDisconnects || elapsed.Elapsed >= DisconnectGrace)
            {
                return connected;
            }

            await Task.Delay(Pause, cancellationToken);
        }
    }
}
