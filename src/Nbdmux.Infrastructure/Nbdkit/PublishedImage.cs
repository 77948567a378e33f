namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// A registered image as the plugin opens it: beneath which image root (that directory itself,
/// by device and inode), by which path relative to it, and which file it must turn out to be.
/// </summary>
public sealed record PublishedImage(string Root, ulong RootDevice, ulong RootInode, string RelativePath, ulong Device, ulong Inode)
{
    /// <summary>
    /// Finds <paramref name="filePath"/> (a registered, canonical path) beneath the innermost of
    /// <paramref name="canonicalRoots"/> that holds it. Null, with the reason, when the plugin
    /// could not be told to serve it: then no client gets it.
    /// </summary>
    public static PublishedImage? Locate(string filePath, IEnumerable<string> canonicalRoots, out string refusal)
    {
        refusal = "";
        var root = canonicalRoots
            .Where(candidate => filePath.StartsWith(candidate.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(candidate => candidate.Length);
        if (root is null)
        {
            refusal = $"the file at {filePath} is not inside an image root any more";
            return null;
        }

        var relative = filePath[(root.TrimEnd('/').Length + 1)..];
        if (relative.Split('/').Any(component => component is "" or "." or ".."))
        {
            refusal = $"the path {filePath} is not canonical";
            return null;
        }

        if (filePath.Contains('\n'))
        {
            refusal = $"the path {filePath.ReplaceLineEndings(" ")} contains a line break, which the published record cannot carry";
            return null;
        }

        // The identity the plugin demands is taken here, when the export is published.
        var rootFile = FileFacts.Of(root, followSymlinks: false);
        var imageFile = FileFacts.Of(filePath, followSymlinks: false);
        if (rootFile is not { IsDirectory: true } rootStatus)
        {
            refusal = $"the image root {root} is missing";
            return null;
        }

        if (imageFile is not { IsRegularFile: true } imageStatus)
        {
            refusal = imageFile is null ? $"the file at {filePath} is missing" : $"the file at {filePath} is no longer a regular file";
            return null;
        }

        return new PublishedImage(root, rootStatus.Device, rootStatus.Inode, relative, imageStatus.Device, imageStatus.Inode);
    }
}
