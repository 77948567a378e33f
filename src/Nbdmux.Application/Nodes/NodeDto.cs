using Nbdmux.Domain.Nodes;

namespace Nbdmux.Application.Nodes;

/// <summary>A node as GET /nodes shows it (snake_case on the wire: nbd_endpoint, ...).</summary>
/// <param name="Status">"up", or "down" once it has missed its heartbeats.</param>
/// <param name="Lag">Registry revisions (changes) the node does not serve yet; 0 when current.</param>
/// <param name="Local">The node that answered.</param>
public sealed record NodeDto(
    string Name,
    string Address,
    string ApiUrl,
    string NbdEndpoint,
    string Backend,
    string Status,
    DateTimeOffset UpSince,
    DateTimeOffset LastHeartbeat,
    int ExportsServed,
    int Connections,
    long AppliedRevision,
    long Lag,
    bool Local)
{
    public const string Up = "up";
    public const string Down = "down";

    public static NodeDto From(Node node, long revision, string localName, DateTimeOffset now)
    {
        var host = node.Address.Contains(':') ? $"[{node.Address}]" : node.Address;
        return new NodeDto(
            node.Name, node.Address, $"http://{host}:{node.HttpPort}", $"{host}:{node.NbdPort}", node.Backend,
            node.IsUp(now) ? Up : Down, node.UpSince, node.LastHeartbeat, node.ExportsServed, node.Connections,
            node.AppliedRevision, Math.Max(0, revision - node.AppliedRevision), node.Name == localName);
    }
}
