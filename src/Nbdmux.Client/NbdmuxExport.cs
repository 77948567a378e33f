namespace Nbdmux.Client;

/// <summary>
/// An export as the daemon reports it. Fields the daemon adds later are ignored, so an older
/// client keeps working against a newer daemon.
/// </summary>
/// <param name="Name">What NBD clients ask for (nbd-client -N NAME).</param>
/// <param name="File">Absolute path of the image on the daemon's host.</param>
/// <param name="Readonly">Whether writes are refused.</param>
/// <param name="Status">"active" when served now, "unavailable" while nbd-server is down.</param>
/// <param name="SizeBytes">Size of the image when it was registered.</param>
/// <param name="CreatedAt">When the name was first registered.</param>
/// <param name="UpdatedAt">When its file or mode last changed.</param>
public sealed record NbdmuxExport(
    string Name,
    string File,
    bool Readonly,
    string Status,
    long SizeBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
