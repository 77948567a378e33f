namespace Nbdmux.Application.Common.Interfaces;

/// <summary>
/// The NBD endpoint that targets connect to. Each change returns only once it is true on the
/// wire for new clients, and never disturbs clients that are already connected.
/// </summary>
public interface INbdServer
{
    /// <summary>A snapshot, replaced whole whenever anything in it changes.</summary>
    NbdServerStatus Status { get; }

    /// <summary>Whether a new client can complete an NBD handshake on the port right now.</summary>
    Task<bool> AnswersAsync(CancellationToken cancellationToken);

    /// <summary>Serves the export, adding it or replacing its file or access.</summary>
    /// <exception cref="Exceptions.NbdServerUnavailableException">The change could not be made live.</exception>
    Task PublishAsync(ServedExport export, CancellationToken cancellationToken);

    /// <summary>Refuses the export to new clients.</summary>
    /// <exception cref="Exceptions.NbdServerUnavailableException">The change could not be made live.</exception>
    Task WithdrawAsync(string name, CancellationToken cancellationToken);

    /// <summary>Disk space taken by copy-on-write clients' private overlays.</summary>
    long OverlayBytes();

    /// <summary>Clients connected now, to every export: the same list instance for as long as nothing about them changes.</summary>
    IReadOnlyList<ClientConnection> Connections();

    /// <summary>Cuts these clients (their disk goes away), releasing the files they held.</summary>
    Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken);
}
