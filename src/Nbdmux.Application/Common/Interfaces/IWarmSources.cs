namespace Nbdmux.Application.Common.Interfaces;

/// <summary>
/// The places the operator allows nbdmux to fetch images from: a withcache, or URL prefixes.
/// A caller can never make nbdmux fetch anything else.
/// </summary>
public interface IWarmSources
{
    /// <summary>What nbdmux requests for <paramref name="sourceUrl"/>, or why it may not (naming the setting to change).</summary>
    WarmFetch Resolve(string sourceUrl);

    /// <summary>Whether a redirect may be followed to <paramref name="location"/>.</summary>
    bool MayFollow(Uri location);
}

public sealed record WarmFetch(Uri? Url, string? Problem)
{
    public static WarmFetch Allowed(Uri url) => new(url, null);

    public static WarmFetch Refused(string problem) => new(null, problem);
}
