namespace Nbdmux.Domain.Exports;

/// <summary>Where a warmed export's bytes come from, how they are packed, and the digest the raw image must have.</summary>
/// <param name="Url">The canonical source URL as the caller gave it (what a withcache is asked for).</param>
/// <param name="Format">One of <see cref="WarmFormat.All"/>; null until the first bytes tell, when neither the caller nor the URL did.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the raw image, or null to take it as it comes.</param>
public sealed record WarmSource(string Url, string? Format, string? Sha256);

/// <summary>The packings a warm can unpack into a raw image, named as 0.2.1 names them (plus bz2 and qcow2).</summary>
public static class WarmFormat
{
    public const string Raw = "img";
    public const string Gzip = "img.gz";
    public const string Zstd = "img.zst";
    public const string Xz = "img.xz";
    public const string Bzip2 = "img.bz2";
    public const string Qcow2 = "qcow2";

    public static IReadOnlyList<string> All { get; } = [Raw, Gzip, Zstd, Xz, Bzip2, Qcow2];

    private static readonly (string Suffix, string Format)[] Suffixes =
    [
        (".gz", Gzip), (".zst", Zstd), (".xz", Xz), (".bz2", Bzip2), (".qcow2", Qcow2), (".img", Raw), (".raw", Raw),
    ];

    /// <summary>The format the URL's path ends in (query and fragment ignored), or null when it does not tell.</summary>
    public static string? FromUrl(Uri url)
    {
        var path = url.AbsolutePath.ToLowerInvariant();
        return Suffixes.FirstOrDefault(s => path.EndsWith(s.Suffix, StringComparison.Ordinal)).Format;
    }
}
