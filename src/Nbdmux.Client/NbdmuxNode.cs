namespace Nbdmux.Client;

/// <summary>A node sharing the daemon's registry, as GET /nodes shows it.</summary>
/// <param name="Name">Its --node-name.</param>
/// <param name="Address">The host name or address it is reached at.</param>
/// <param name="ApiUrl">Its HTTP API.</param>
/// <param name="NbdEndpoint">Where targets connect to it ("host:port").</param>
/// <param name="Backend">"nbdkit" or "nbd-server".</param>
/// <param name="Status">"up", or "down" once it has missed its heartbeats.</param>
/// <param name="UpSince">When it started.</param>
/// <param name="LastHeartbeat">When it last wrote its row.</param>
/// <param name="ExportsServed">Exports its NBD server serves.</param>
/// <param name="Connections">Clients connected to it.</param>
/// <param name="AppliedRevision">The registry revision it serves.</param>
/// <param name="Lag">Changes it does not serve yet.</param>
/// <param name="Local">The node that answered.</param>
public sealed record NbdmuxNode(
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
    bool Local);
