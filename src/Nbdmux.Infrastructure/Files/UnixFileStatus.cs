using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Files;

public enum UnixFileType
{
    Missing,
    Regular,
    Directory,
    Other,
}

/// <summary>
/// The file type as stat(2) reports it. .NET's FileInfo cannot tell a regular file from a device,
/// FIFO or socket, and opening a FIFO to find out would block, so this asks the kernel directly.
/// statx is used because its struct layout is the same on every architecture.
/// </summary>
public static partial class UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const ushort TypeMask = 0xF000;
    private const ushort TypeRegular = 0x8000;
    private const ushort TypeDirectory = 0x4000;

    /// <summary>The type of the file the path finally names, following symbolic links.</summary>
    public static UnixFileType TypeOf(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return UnixFileType.Missing;
        }

        // struct statx: stx_mode is the u16 at byte offset 28.
        var mode = (ushort)(MemoryMarshal.Read<ushort>(buffer[28..]) & TypeMask);
        return mode switch
        {
            TypeRegular => UnixFileType.Regular,
            TypeDirectory => UnixFileType.Directory,
            _ => UnixFileType.Other,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte buffer);
}
