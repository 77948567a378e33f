using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The disk space of copy-on-write overlays. The plugin makes each one with O_TMPFILE, so it
/// has no name in cow/ and is seen only through nbdkit's open file descriptors, whose links
/// read "/…/cow/#INODE (deleted)".
/// </summary>
public sealed class OverlayFiles(NbdkitLayout layout)
{
    /// <summary>
    /// Blocks allocated, not the apparent size: an overlay keeps each written block at its
    /// offset in the image, so one write near the end of a large image makes a large, sparse file.
    /// </summary>
    public long BytesOf(int serverPid)
    {
        var cow = (RealPath.Of(layout.CowDirectory) ?? layout.CowDirectory) + "/";
        long total = 0;
        try
        {
            foreach (var descriptor in Directory.EnumerateFiles($"/proc/{serverPid}/fd"))
            {
                if (LinkTarget(descriptor) is { } target && target.StartsWith(cow, StringComparison.Ordinal) &&
                    FileStat.OfTarget(descriptor) is { Type: FileType.Regular } overlay)
                {
                    total += overlay.AllocatedBytes;
                }
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return 0; // the server is gone, or /proc hides it
        }

        return total;
    }

    /// <summary>Null for a descriptor closed between the listing and the look.</summary>
    private static string? LinkTarget(string descriptor)
    {
        try
        {
            return new FileInfo(descriptor).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
