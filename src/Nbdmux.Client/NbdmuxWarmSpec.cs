namespace Nbdmux.Client;

/// <summary>An image for the daemon to fetch, unpack and serve under a name (POST /exports with src_url).</summary>
/// <param name="Name">What NBD clients ask for.</param>
/// <param name="SrcUrl">An http or https URL the daemon's operator allows (through its withcache or a warm source prefix).</param>
public sealed record NbdmuxWarmSpec(string Name, string SrcUrl)
{
    /// <summary>img, img.gz, img.zst, img.xz, img.bz2 or qcow2; null to take it from the URL's suffix or the first bytes.</summary>
    public string? Format { get; init; }

    /// <summary>SHA-256 (hex) the raw image must have before it is served.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Refuse writes (the default). Ignored for copy-on-write exports, which are writable views.</summary>
    public bool? Readonly { get; init; }

    /// <summary>Give every client its own private writable view; the image never changes.</summary>
    public bool? CopyOnWrite { get; init; }

    /// <summary>Addresses or CIDR networks that may connect; null admits everyone.</summary>
    public IReadOnlyList<string>? Allow { get; init; }
}
