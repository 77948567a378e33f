using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// realpath(3): the canonical path with every symlink and `..` resolved, which is what the
/// image-root check must compare (Path.GetFullPath only folds `..` lexically).
/// </summary>
public static partial class RealPath
{
    public static string? Of(string path)
    {
        var resolved = Resolve(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Resolve(string path, IntPtr buffer);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
