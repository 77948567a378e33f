using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// A registered image as the plugin opens it: beneath which image root (that directory itself,
/// by device and inode), by which path relative to it, and which file it must turn out to be
/// (the identity recorded at registration).
/// </summary>
public sealed record PublishedImage(string Root, ulong RootDevice, ulong RootInode, string RelativePath, ulong Device, ulong Inode)
{
    /// <exception cref="ImageUnservableException">The plugin could not be told to serve it, with why.</exception>
    public static PublishedImage Locate(ServedExport export, ImageRoots roots)
    {
        var root = roots.Containing(export.FilePath)
            ?? throw new ImageUnservableException($"the file at {export.FilePath} is not inside an image root any more");
        if (export.FileIdentity is not { } identity)
        {
            throw new ImageUnservableException($"the file at {export.FilePath} has no recorded identity; register it again");
        }

        if (export.FilePath.Contains('\n'))
        {
            throw new ImageUnservableException("the path contains a line break, which the published record cannot carry");
        }

        var rootStat = StatOrNull(root);
        if (rootStat is not { Type: FileType.Directory } directory)
        {
            throw new ImageUnservableException($"the image root {root} is missing or not a directory");
        }

        return new PublishedImage(
            root, directory.Identity.Device, directory.Identity.Inode, ImageRoots.RelativeTo(root, export.FilePath), identity.Device, identity.Inode);
    }

    private static FileStat? StatOrNull(string path)
    {
        try
        {
            return FileStat.OfLink(path);
        }
        catch (FileSystemCallException)
        {
            return null;
        }
    }
}
