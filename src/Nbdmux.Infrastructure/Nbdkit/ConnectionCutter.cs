using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.DataPlane;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// Disconnects single clients of the one nbdkit process that serves them all: cut/ID asks the
/// plugin to shut that client's socket down; the plugin then closes the connection, which
/// removes connections/ID.
/// </summary>
public sealed class ConnectionCutter(NbdkitLayout layout, ConnectionFiles connections, TimeProvider time, ILogger<ConnectionCutter> logger)
{
    /// <summary>The plugin sees a cut at once through inotify, and within its one-second rescan otherwise.</summary>
    private static readonly TimeSpan GoneTimeout = TimeSpan.FromSeconds(5);

    public async Task CutAsync(IReadOnlyList<ClientConnection> clients, CancellationToken cancellationToken)
    {
        var ids = clients.Select(client => client.Id).Where(ConnectionFiles.IsId).ToList();
        foreach (var id in ids)
        {
            File.WriteAllBytes(Path.Combine(layout.CutDirectory, id), []);
        }

        if (!await time.UntilAsync(() => !ids.Any(connections.IsConnected), GoneTimeout, cancellationToken))
        {
            logger.LogWarning(
                "nbdkit still serves {Connections} {Timeout} s after being asked to cut them",
                ids.Where(connections.IsConnected), GoneTimeout.TotalSeconds);
        }
    }

    /// <summary>Cut requests an earlier server never carried out name connections that are gone with it.</summary>
    public void Clear()
    {
        foreach (var file in Directory.EnumerateFiles(layout.CutDirectory))
        {
            File.Delete(file);
        }
    }
}
