using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// What statx(2) says about a path, as the plugin's fstat(2) will see it: statx because its
/// layout is the same on every architecture, the device encoded as glibc's makedev does.
/// </summary>
/// <param name="AllocatedBytes">Disk space taken (blocks), not the apparent size.</param>
public readonly partial record struct FileFacts(bool IsRegularFile, bool IsDirectory, ulong Device, ulong Inode, long AllocatedBytes)
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint TypeInodeAndBlocks = 0x1 | 0x100 | 0x400; // STATX_TYPE | STATX_INO | STATX_BLOCKS

    /// <summary>Null when there is no such file (or it cannot be looked at).</summary>
    public static FileFacts? Of(string path, bool followSymlinks)
    {
        Span<byte> statx = stackalloc byte[256];
        if (Statx(CurrentDirectory, path, followSymlinks ? 0 : NoFollow, TypeInodeAndBlocks, ref MemoryMarshal.GetReference(statx)) != 0)
        {
            return null;
        }

        // struct statx: stx_mode u16 at 28, stx_ino u64 at 32, stx_blocks (512-byte units) u64 at 48,
        // stx_dev_major and stx_dev_minor u32 at 136 and 140.
        var type = MemoryMarshal.Read<ushort>(statx[28..]) & 0xF000;
        var device = MakeDevice(MemoryMarshal.Read<uint>(statx[136..]), MemoryMarshal.Read<uint>(statx[140..]));
        return new FileFacts(type == 0x8000, type == 0x4000, device, MemoryMarshal.Read<ulong>(statx[32..]), MemoryMarshal.Read<long>(statx[48..]) * 512);
    }

    private static ulong MakeDevice(ulong major, ulong minor) =>
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);
}
