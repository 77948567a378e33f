namespace Nbdmux.Client;

/// <summary>What to serve under a name (the body of POST /exports).</summary>
/// <param name="Name">What NBD clients ask for.</param>
/// <param name="File">Raw image on the daemon's host, inside one of its image roots.</param>
public sealed record NbdmuxExportSpec(string Name, string File)
{
    /// <summary>Refuse writes (the default). Ignored for copy-on-write exports, which are writable views.</summary>
    public bool? Readonly { get; init; }

    /// <summary>Give every client its own private writable view; the image never changes.</summary>
    public bool? CopyOnWrite { get; init; }

    /// <summary>Addresses or CIDR networks that may connect; null admits everyone.</summary>
    public IReadOnlyList<string>? Allow { get; init; }
}
