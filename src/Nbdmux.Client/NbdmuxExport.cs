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
/// <param name="NbdClientCommand">What a running target types to attach it as /dev/nbd0.</param>
/// <param name="KernelCommandLine">The kernel command line of a target that boots from it into RAM (deploy/ramboot).</param>
public sealed record NbdmuxExport(
    string Name,
    string File,
    bool Readonly,
    string Status,
    long SizeBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool CopyOnWrite = false,
    IReadOnlyList<string>? Allow = null,
    string? Problem = null,
    string PartitionTable = "none",
    int ConnectionCount = 0,
    string? NbdClientCommand = null,
    string? KernelCommandLine = null);
