using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// The image roots (--images-dir) as canonical paths, resolved once when first needed, after
/// start-up created and checked them: a symlink among a root's parents that is re-pointed later
/// moves no root until nbdmux restarts.
/// </summary>
public sealed class ImageRoots(NbdmuxOptions options)
{
    private readonly Lazy<IReadOnlyList<string>> _canonical = new(() => options.ImageRoots().Select(CanonicalPath).ToList());

    public IReadOnlyList<string> Canonical => _canonical.Value;

    /// <summary>The root a canonical path lies strictly inside, or null.</summary>
    public string? Containing(string canonicalPath) =>
        Canonical.FirstOrDefault(root => canonicalPath.StartsWith(WithSlash(root), StringComparison.Ordinal));

    /// <summary>The part of a canonical path below its root: what is opened beneath the root.</summary>
    public static string RelativeTo(string root, string canonicalPath) => canonicalPath[WithSlash(root).Length..];

    public static string CanonicalPath(string path) => RealPath.Of(path) ?? Path.GetFullPath(path);

    private static string WithSlash(string root) => root.TrimEnd('/') + "/";
}
