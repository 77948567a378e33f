using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// A hard link to the file an open handle names, made from the handle, never from a path:
/// linkat("/proc/self/fd/N", AT_SYMLINK_FOLLOW). Unlike linkat(AT_EMPTY_PATH) it needs no
/// CAP_DAC_READ_SEARCH; the kernel still applies protected_hardlinks.
/// </summary>
public static partial class DescriptorLink
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int FollowSymlink = 0x400; // AT_SYMLINK_FOLLOW

    /// <summary>0, or the errno: EXDEV (another filesystem), EPERM (protected_hardlinks), EEXIST, ENOSPC...</summary>
    public static int TryCreate(SafeFileHandle file, string newPath) =>
        BeneathOpener.WithDescriptorPath(file, descriptorPath =>
            LinkAt(CurrentDirectory, descriptorPath, CurrentDirectory, newPath, FollowSymlink) == 0 ? 0 : Marshal.GetLastPInvokeError());

    [LibraryImport("libc", EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);
}
