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
/// What stat(2) says about a file: its type, which .NET's FileInfo cannot tell apart for a
/// device, FIFO or socket (and opening a FIFO to find out would block); the device and inode
/// that name it; and the disk space it takes.
/// </summary>
/// <param name="Device">st_dev as glibc encodes it (makedev), the number fstat(2) gives a C program.</param>
public readonly record struct UnixFileInfo(UnixFileType Type, ulong Device, ulong Inode, long AllocatedBytes);

/// <summary>statx is used because its struct layout is the same on every architecture.</summary>
public static partial class UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const uint StatxBlocks = 0x400;
    private const ushort TypeMask = 0xF000;
    private const ushort TypeRegular = 0x8000;
    private const ushort TypeDirectory = 0x4000;

    /// <summary>The type of the file the path finally names, following symbolic links.</summary>
    public static UnixFileType TypeOf(string path) => Of(path, followSymlinks: true)?.Type ?? UnixFileType.Missing;

    /// <summary>The file the path names, or null when there is none (or it cannot be looked at).</summary>
    public static UnixFileInfo? Of(string path, bool followSymlinks)
    {
        Span<byte> buffer = stackalloc byte[256];
        var flags = followSymlinks ? 0 : AtSymlinkNoFollow;
        if (Statx(AtFdCwd, path, flags, StatxType | StatxIno | StatxBlocks, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return null;
        }

        // struct statx: stx_mode is the u16 at byte offset 28, stx_ino the u64 at 32, stx_blocks
        // (512-byte units) the u64 at 48, stx_dev_major and stx_dev_minor the u32s at 136 and 140.
        var type = (ushort)(MemoryMarshal.Read<ushort>(buffer[28..]) & TypeMask) switch
        {
            TypeRegular => UnixFileType.Regular,
            TypeDirectory => UnixFileType.Directory,
            _ => UnixFileType.Other,
        };
        var device = MakeDevice(MemoryMarshal.Read<uint>(buffer[136..]), MemoryMarshal.Read<uint>(buffer[140..]));
        return new UnixFileInfo(type, device, MemoryMarshal.Read<ulong>(buffer[32..]), (long)MemoryMarshal.Read<ulong>(buffer[48..]) * 512);
    }

    /// <summary>glibc's makedev(3): how the major and minor numbers share one 64-bit dev_t.</summary>
    private static ulong MakeDevice(ulong major, ulong minor) =>
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte buffer);
}
