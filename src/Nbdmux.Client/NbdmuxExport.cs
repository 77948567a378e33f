using System.Text.Json.Serialization;

namespace Nbdmux.Client;

/// <summary>
/// An export as the daemon reports it. Fields the daemon adds later are ignored, so an older
/// client keeps working against a newer daemon.
/// </summary>
/// <param name="Name">What NBD clients ask for (nbd-client -N NAME).</param>
/// <param name="File">Absolute path of the image on the daemon's host.</param>
/// <param name="Readonly">Whether writes are refused.</param>
/// <param name="Status">"ready" when served now, "unavailable" while nbd-server is down, "withheld" when the daemon refuses to serve it (see <paramref name="Problem"/>); a warm is "queued", "fetching", "decompressing", then "ready" or "failed" (see <paramref name="Error"/>).</param>
/// <param name="SizeBytes">Size of the image when it was registered.</param>
/// <param name="CreatedAt">When the name was first registered.</param>
/// <param name="UpdatedAt">When its file or mode last changed.</param>
/// <param name="CopyOnWrite">Each client writes to its own private overlay.</param>
/// <param name="Allow">Addresses or networks that may connect; null for everyone.</param>
/// <param name="Problem">Why a withheld export is not served.</param>
/// <param name="PartitionTable">"gpt", "mbr" or "none".</param>
/// <param name="ConnectionCount">Clients connected now.</param>
/// <param name="SrcUrl">Where a warmed export's image is fetched from; null for a registered file.</param>
/// <param name="Format">How the warmed image is packed: img, img.gz, img.zst, img.xz, img.bz2 or qcow2.</param>
/// <param name="Sha256">The SHA-256 the raw image must have, when given.</param>
/// <param name="BytesTotal">Bytes the source announced, when it did.</param>
/// <param name="BytesDone">Bytes fetched so far.</param>
/// <param name="Progress">Percent of <paramref name="BytesTotal"/> fetched, one decimal; null while the total is unknown.</param>
/// <param name="Error">Why the warm failed.</param>
/// <param name="EnqueuedAt">When the warm was asked for.</param>
/// <param name="StartedAt">When the warm started fetching.</param>
/// <param name="CompletedAt">When the warm became ready or failed.</param>
/// <param name="Connections">The clients connected now.</param>
/// <param name="NbdClientCommand">What a running target types to attach it as /dev/nbd0.</param>
/// <param name="KernelCommandLine">The kernel command line of a target that boots from it into RAM (deploy/ramboot).</param>
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
    [property: JsonPropertyOrder(13)] string? SrcUrl = null,
    [property: JsonPropertyOrder(14)] string? Format = null,
    [property: JsonPropertyOrder(15)] string? Sha256 = null,
    [property: JsonPropertyOrder(16)] long? BytesTotal = null,
    [property: JsonPropertyOrder(17)] long? BytesDone = null,
    [property: JsonPropertyOrder(18)] double? Progress = null,
    [property: JsonPropertyOrder(19)] string? Error = null,
    [property: JsonPropertyOrder(20)] DateTimeOffset? EnqueuedAt = null,
    [property: JsonPropertyOrder(21)] DateTimeOffset? StartedAt = null,
    [property: JsonPropertyOrder(22)] DateTimeOffset? CompletedAt = null,
    [property: JsonPropertyOrder(10)] IReadOnlyList<NbdmuxConnection>? Connections = null,
    [property: JsonPropertyOrder(23)] string? NbdClientCommand = null,
    [property: JsonPropertyOrder(24)] string? KernelCommandLine = null)
{
    /// <summary>Served to new clients now.</summary>
    public const string Ready = "ready";

    /// <summary>A warm that gave up; see <see cref="Error"/>.</summary>
    public const string Failed = "failed";

    /// <summary>A warm waiting, fetching or verifying: nothing is served under the name yet.</summary>
    [JsonIgnore]
    public bool IsWarming => Status is "queued" or "fetching" or "decompressing";
}

/// <summary>A client connected to an export.</summary>
/// <param name="Peer">Its address and port.</param>
/// <param name="Since">When it connected.</param>
/// <param name="Node">The node it is connected to, when the daemon shares its registry with others.</param>
public sealed record NbdmuxConnection(string Peer, DateTimeOffset Since, string? Node = null);
