using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Application.Common.Exceptions;

/// <summary>
/// The change would pull the disk from under connected clients; they are listed, with the node
/// each is connected to when the registry is shared (<paramref name="localNode"/> names this one).
/// </summary>
public sealed class ExportInUseException(
    string name, IReadOnlyList<ClientConnection> connections, string? localNode = null, IReadOnlyList<NodeClient>? elsewhere = null)
    : Exception(Describe(name, Listed(connections, localNode, elsewhere ?? [])))
{
    public IReadOnlyList<InUseBy> Clients { get; } = Listed(connections, localNode, elsewhere ?? []);

    private static List<InUseBy> Listed(IReadOnlyList<ClientConnection> connections, string? localNode, IReadOnlyList<NodeClient> elsewhere) =>
        [.. connections.Select(c => new InUseBy(c.Peer, c.Since, localNode)), .. elsewhere.Select(c => new InUseBy(c.Peer, c.Since, c.Node))];

    private static string Describe(string name, List<InUseBy> clients) =>
        $"Export '{name}' is in use by {string.Join(", ", clients.Select(c => c.Node is null ? c.Peer : $"{c.Peer} on node {c.Node}"))}; " +
        "those machines would lose their disk. " +
        (clients.Any(c => c.Node is not null)
            ? "Disconnect them, or retry with force to disconnect them on every node (?force=true; nbdmux CLI: --force)."
            : "Retry with force to disconnect them (?force=true; nbdmux CLI: --force).");
}

/// <summary>A client that keeps a change from being made; <paramref name="Node"/> is null on a registry of one node.</summary>
public sealed record InUseBy(string Peer, DateTimeOffset Since, string? Node);
