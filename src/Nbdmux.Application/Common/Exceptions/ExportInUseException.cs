using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Common.Exceptions;

/// <summary>The change would pull the disk from under connected clients; they are listed.</summary>
public sealed class ExportInUseException(string name, IReadOnlyList<ClientConnection> connections)
    : Exception($"Export '{name}' is in use by {string.Join(", ", connections.Select(c => c.Peer))}; " +
                "those machines would lose their disk. Retry with force to disconnect them (?force=true; nbdmux CLI: --force).")
{
    public IReadOnlyList<ClientConnection> Connections { get; } = connections;
}
