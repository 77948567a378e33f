using System.Text.Json.Serialization;

namespace Nbdmux.Client;

/// <summary>
/// An export as the daemon reports it. Fields the daemon adds later are ignored, so an older
/// client keeps working against a newer daemon.
/// </summary>
/// <param name="Name">What NBD clients ask for (nbd-client -N NAME).</param>
/// <param name="File">Absolute path of the image on the daemon's host.</param>
/// <param name="Readonly">Whether writes are refused.</param>
/// <param name="Status">"active" when served now, "unavailable" while nbd-server is down, "withheld" when the daemon refuses to serve it (see <paramref name="Problem"/>).</param>
/// <param name="SizeBytes">Size of the image when it was registered.</param>
/// <param name="CreatedAt">When the name was first registered.</param>
/// <param name="UpdatedAt">When its file or mode last changed.</param>
/// <param name="CopyOnWrite">Each client writes to its own private overlay.</param>
/// <param name="Allow">Addresses or networks that may connect; null for everyone.</param>
/// <param name="Problem">Why a withheld export is not served.</param>
/// <param name="PartitionTable">"gpt", "mbr" or "none".</param>
/// <param name="ConnectionCount">Clients connected now.</param>
/// <param name="Connections">The clients connected now.</param>
/// <remarks>Serialized in the daemon's member order, so `nbdmux --json` prints the records as the API does.</remarks>
public sealed record NbdmuxExport(
    [property: JsonPropertyOrder(0)] string Name,
    [property: JsonPropertyOrder(1)] string File,
    [property: JsonPropertyOrder(2)] bool Readonly,
    [property: JsonPropertyOrder(5)] string Status,
    [property: JsonPropertyOrder(7)] long SizeBytes,
    [property: JsonPropertyOrder(11)] DateTimeOffset CreatedAt,
    [property: JsonPropertyOrder(12)] DateTimeOffset UpdatedAt,
    [property: JsonPropertyOrder(3)] bool CopyOnWrite = false,
    [property: JsonPropertyOrder(4)] IReadOnlyList<string>? Allow = null,
    [property: JsonPropertyOrder(6)] string? Problem = null,
    [property: JsonPropertyOrder(8)] string PartitionTable = "none",
    [property: JsonPropertyOrder(9)] int ConnectionCount = 0,
    [property: JsonPropertyOrder(10)] IReadOnlyList<NbdmuxConnection>? Connections = null);

/// <summary>A client connected to an export.</summary>
/// <param name="Peer">Its address and port.</param>
/// <param name="Since">When it connected.</param>
public sealed record NbdmuxConnection(string Peer, DateTimeOffset Since);
