using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// nbd-server keeps a section's settings until it restarts, but opens the image and reads the
/// section's authfile afresh for every new client. Each section therefore names a link to the
/// image and an authfile that nbdmux owns, and changing a file or removing an export is an
/// atomic rename that takes effect for the next client, with no signal and no restart.
/// The link is a hard link made from a descriptor of the registered file, found again beneath its
/// image root: nbd-server opens exactly that file, whatever happens to the path later, and a
/// client's open file names its export in /proc even when several exports share one image. There
/// is no symlink fallback: a symlink would hand nbd-server a path, which can be re-pointed.
/// </summary>
public sealed class ExportGates(NbdServerLayout layout, ImageFiles files)
{
    private const string Everyone = "0.0.0.0/0\n::/0\n";

    /// <summary>An empty authfile admits nobody (a missing one would admit everyone).</summary>
    private const string Nobody = "";

    /// <summary>Points the export at its registered file and admits its clients (everyone, or its allow list).</summary>
    /// <exception cref="ImageUnservableException">The file is not (or can no longer be) served, with why; nothing was changed.</exception>
    public void Open(ServedExport export)
    {
        using (var image = files.OpenRegistered(export))
        {
            ReplaceLink(layout.LinkPath(export.Name), image);
        }

        var admitted = export.Access.Networks is { } networks ? string.Concat(networks.Select(network => $"{network}\n")) : Everyone;
        ReplaceFile(layout.AuthFilePath(export.Name), admitted);
    }

    public void Close(string name)
    {
        ReplaceFile(layout.AuthFilePath(name), Nobody);
        File.Delete(layout.LinkPath(name));
    }

    /// <summary>
    /// Removes what removed exports left behind, once no running nbd-server can still read it, and
    /// staging names a crash left (dot-names, which no export has).
    /// </summary>
    public void DeleteAllExcept(IReadOnlySet<string> names)
    {
        foreach (var directory in new[] { layout.LinksDirectory, layout.AuthDirectory })
        {
            foreach (var path in Directory.EnumerateFiles(directory).Where(p => !names.Contains(Path.GetFileName(p))))
            {
                File.Delete(path);
            }
        }
    }

    private void ReplaceLink(string path, VerifiedImage image)
    {
        var staged = StagingPath(path);
        try
        {
            File.Delete(staged);
            switch (DescriptorLink.TryCreate(image.Handle, staged))
            {
                case 0:
                    break;
                case var errno and (Errno.CrossDevice or Errno.NoPermission):
                    throw new ImageUnservableException(CannotLink(image, errno));
                case var errno:
                    throw new FileSystemCallException($"linkat to '{staged}'", errno);
            }

            if (FileStat.OfLink(staged).Identity != image.Identity)
            {
                throw new IOException($"the link '{staged}' nbdmux just made does not name '{image.FullPath}'; is something else writing in the data dir?");
            }

            File.Move(staged, path, overwrite: true);
        }
        finally
        {
            // rename(2) does nothing when both names already link the same file (an unchanged
            // export published again): the staged name would stay and pin the image's space.
            File.Delete(staged);
        }
    }

    private string CannotLink(VerifiedImage image, int errno)
    {
        var why = errno == Errno.CrossDevice
            ? "the data dir is on another filesystem than the image"
            : "the kernel refused the link (protected_hardlinks: nbdmux's user neither owns the image nor may read and write it; or the filesystem has no hard links)";
        var fix = errno == Errno.CrossDevice
            ? "put the data dir on the image root's filesystem"
            : "make nbdmux's user the owner of the image";
        return $"nbd-server cannot be handed '{image.FullPath}' safely: nbdmux gives it a hard link to the file in its data dir ({layout.LinksDirectory}), " +
               $"and {why}. To serve it, {fix}, or use the nbdkit backend (--nbd-backend nbdkit), which opens each image itself.";
    }

    private static void ReplaceFile(string path, string contents)
    {
        var staged = StagingPath(path);
        try
        {
            File.WriteAllText(staged, contents);
            File.Move(staged, path, overwrite: true);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    /// <summary>A dot-name, which no export can have, so staging files never collide with one.</summary>
    private static string StagingPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.CurrentManagedThreadId}.tmp");
}
