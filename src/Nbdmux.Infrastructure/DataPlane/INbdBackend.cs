using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>
/// What one NBD server program needs done its own way. The supervisor owns everything else:
/// the desired exports, proving changes on the wire, watching the process and restarting it.
/// Implementations are called with the supervisor's gate held, one call at a time.
/// </summary>
public interface INbdBackend
{
    /// <summary>The value of --nbd-backend that selects it.</summary>
    string Name { get; }

    /// <summary>
    /// Runs once at start-up, before any server is launched: creates the backend's files under the
    /// data dir, removes what a crash left behind, and deals with a server that an earlier nbdmux
    /// left running on this data dir: returns it when it can go on serving as it is (its clients
    /// stay connected), or stops it and returns null.
    /// </summary>
    Task<ServerProcess?> RecoverAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the next client that asks for the export get it as given (file, mode, allow list).
    /// Returns <see cref="PublishEffect.NeedsRestart"/> when <paramref name="running"/> cannot serve
    /// it until it is restarted; the supervisor then restarts it.
    /// </summary>
    PublishEffect Publish(ServedExport export, ServerProcess? running);

    /// <summary>The next client that asks for the name is refused; connected ones are not disturbed.</summary>
    void Withdraw(string name);

    /// <summary>
    /// Starts a server for every export published so far and returns once it runs (the supervisor
    /// then waits until it answers NBD handshakes).
    /// </summary>
    /// <exception cref="NbdServer.NbdServerStartException">It could not be started, or ended at once.</exception>
    Task<ServerProcess> LaunchAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Ends <paramref name="server"/>: to restart it, or because nbdmux stops. Either way clients
    /// already connected must keep their disk where the program allows it.
    /// </summary>
    Task StopAsync(ServerProcess server, StopReason reason);

    /// <summary>How a server that is no longer running ended, once it has (exit code or signal).</summary>
    string DescribeExit(ServerProcess server);

    /// <summary>
    /// Housekeeping on every watch tick (e.g. collecting ended processes). Returns the exports the
    /// server refused to serve to a client since the last call, each with the reason.
    /// </summary>
    IReadOnlyDictionary<string, string> Poll(ServerProcess? running);

    /// <summary>Clients connected now: the same list instance for as long as nothing about them changes.</summary>
    IReadOnlyList<ClientConnection> Connections(ServerProcess? running);

    /// <summary>Cuts these clients and returns once they are gone (or a timeout passed).</summary>
    Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken);

    /// <summary>Disk space taken by copy-on-write clients' private overlays.</summary>
    long OverlayBytes();
}

public enum PublishEffect
{
    /// <summary>The running server (if any) serves it to the next client as published.</summary>
    Live,

    /// <summary>The running server must be restarted before it serves it.</summary>
    NeedsRestart,
}

public enum StopReason
{
    /// <summary>A new server replaces it at once (a restart, or one that does not answer).</summary>
    Restart,

    /// <summary>nbdmux is stopping; nothing replaces it until nbdmux starts again.</summary>
    Shutdown,
}
