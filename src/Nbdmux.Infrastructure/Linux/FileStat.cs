using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Linux;

public enum FileType
{
    Regular,
    Directory,
    SymbolicLink,
    Other,
}

/// <summary>
/// What statx(2) says about an open file (or a path, its last symlink not followed): type,
/// identity and size. statx rather than fstat because its layout is the same on every
/// architecture; the device is encoded as glibc's makedev does, so it equals fstat's st_dev.
/// </summary>
public readonly partial record struct FileStat(FileType Type, FileIdentity Identity, long Size, long AllocatedBytes)
{
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const uint TypeInodeAndSize = 0x1 | 0x100 | 0x200 | 0x400; // STATX_TYPE | STATX_INO | STATX_SIZE | STATX_BLOCKS

    public static FileStat Of(SafeFileHandle file)
    {
        Span<byte> buffer = stackalloc byte[256];
        return Statx(file, "", EmptyPath, TypeInodeAndSize, ref MemoryMarshal.GetReference(buffer)) == 0
            ? Decode(buffer)
            : throw new FileSystemCallException("statx", Marshal.GetLastPInvokeError());
    }

    /// <summary>The path itself, even when it is a symlink.</summary>
    public static FileStat OfLink(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        return StatxPath(CurrentDirectory, path, NoFollow, TypeInodeAndSize, ref MemoryMarshal.GetReference(buffer)) == 0
            ? Decode(buffer)
            : throw new FileSystemCallException($"statx of '{path}'", Marshal.GetLastPInvokeError());
    }

    /// <summary>The file a path finally names, following symlinks; null when there is none (or it cannot be looked at).</summary>
    public static FileStat? OfTarget(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        return StatxPath(CurrentDirectory, path, 0, TypeInodeAndSize, ref MemoryMarshal.GetReference(buffer)) == 0 ? Decode(buffer) : null;
    }

    /// <summary>
    /// struct statx: stx_mode u16 at 28, stx_ino u64 at 32, stx_size u64 at 40, stx_blocks (512-byte
    /// units) u64 at 48, stx_dev_major and _minor u32 at 136 and 140.
    /// </summary>
    private static FileStat Decode(ReadOnlySpan<byte> statx)
    {
        var type = (MemoryMarshal.Read<ushort>(statx[28..]) & 0xF000) switch
        {
            0x8000 => FileType.Regular,
            0x4000 => FileType.Directory,
            0xA000 => FileType.SymbolicLink,
            _ => FileType.Other,
        };
        var device = MakeDevice(MemoryMarshal.Read<uint>(statx[136..]), MemoryMarshal.Read<uint>(statx[140..]));
        return new FileStat(
            type, new FileIdentity(device, MemoryMarshal.Read<ulong>(statx[32..])), MemoryMarshal.Read<long>(statx[40..]), MemoryMarshal.Read<long>(statx[48..]) * 512);
    }

    private static ulong MakeDevice(ulong major, ulong minor) =>
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(SafeFileHandle file, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxPath(int directory, string path, int flags, uint mask, ref byte buffer);
}
