using System.Buffers.Text;
using System.Text;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// What the operator allows warms to fetch: through the withcache when one is set (it fetches the
/// source itself), or straight from a URL under one of the allowed prefixes. URLs are compared in
/// their canonical form (host lower-cased, default port and dot segments gone), so a prefix cannot
/// be escaped with '..' or a differently spelled host.
/// </summary>
public sealed class WarmSources(NbdmuxOptions options) : IWarmSources
{
    private readonly Uri? _withcache = options.WithcacheUrl is { } url ? new Uri(url.TrimEnd('/') + "/") : null;
    private readonly List<string> _prefixes = options.WarmSources.Select(prefix => new Uri(prefix).AbsoluteUri).ToList();

    public WarmFetch Resolve(string sourceUrl)
    {
        if (!Uri.TryCreate(sourceUrl, UriKind.Absolute, out var source) || source.Scheme is not ("http" or "https"))
        {
            return WarmFetch.Refused("src_url must be an absolute http or https URL.");
        }

        if (IsUnderPrefix(source))
        {
            return WarmFetch.Allowed(source);
        }

        if (_withcache is not null)
        {
            return WarmFetch.Allowed(new Uri(_withcache, "b/" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(sourceUrl))));
        }

        return WarmFetch.Refused(_prefixes.Count == 0
            ? "nbdmux fetches images only from places its operator allows, and none is set: start it with NBDMUX_WITHCACHE_URL (--withcache-url) or NBDMUX_WARM_SOURCES (--warm-source PREFIX), or copy the image onto the host and register it with file."
            : $"src_url is not under a prefix nbdmux may fetch from ({string.Join(", ", _prefixes)}); the operator can allow more with NBDMUX_WARM_SOURCES (--warm-source PREFIX) or set NBDMUX_WITHCACHE_URL (--withcache-url).");
    }

    public bool MayFollow(Uri location) =>
        location.Scheme is "http" or "https" &&
        (IsUnderPrefix(location) || (_withcache is not null && location.AbsoluteUri.StartsWith(_withcache.AbsoluteUri, StringComparison.Ordinal)));

    private bool IsUnderPrefix(Uri url) => _prefixes.Any(prefix => url.AbsoluteUri.StartsWith(prefix, StringComparison.Ordinal));
}
