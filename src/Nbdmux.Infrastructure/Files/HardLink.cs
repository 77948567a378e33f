using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Files;

/// <summary>link(2), which .NET does not wrap.</summary>
public static partial class HardLink
{
    /// <summary>False when the kernel refuses (another filesystem, protected_hardlinks, ...).</summary>
    public static bool TryCreate(string existing, string newPath) => Link(existing, newPath) == 0;

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string newPath);
}
