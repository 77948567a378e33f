namespace Nbdmux.Domain.Nodes;

/// <summary>
/// A client connected to an export on one node, as that node last recorded it in the registry:
/// what another node checks before a change that would cut it off.
/// </summary>
/// <param name="ConnectionId">The node's own name for the connection (one connection may have opened several exports).</param>
public sealed record NodeClient(string Node, string ConnectionId, string Export, string Peer, DateTimeOffset Since);
