using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>open(2) flags; O_DIRECTORY, O_NOFOLLOW and O_DIRECT have other values on x86 than on every other architecture.</summary>
internal static class OpenFlags
{
    public const int ReadOnly = 0;
    public const int NoControllingTerminal = 0x100;
    public const int CloseOnExec = 0x80000;

    /// <summary>A handle that names the file without opening it for I/O: a FIFO does not block, a device is not touched.</summary>
    public const int Path = 0x200000;

    private static bool IsX86 => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    public static int Directory => IsX86 ? 0x10000 : 0x4000;

    public static int NoFollow => IsX86 ? 0x20000 : 0x8000;

    /// <summary>O_DIRECT: I/O between the caller's memory and the disk, past the page cache.</summary>
    public static int Direct => IsX86 ? 0x4000 : 0x10000;
}
