using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>
/// Records every open and read of the watched files (and of files directly inside watched
/// directories) through inotify: the proof that nbdkit did not touch a file at all. Opens with
/// O_PATH, which give no access to contents, are not reported by the kernel.
/// </summary>
public sealed class FileAccessWatch : IDisposable
{
    private const int NonBlocking = 0x800; // IN_NONBLOCK
    private const int CloseOnExec = 0x80000; // IN_CLOEXEC
    private const uint Access = 0x1; // IN_ACCESS
    private const uint Open = 0x20; // IN_OPEN
    private const int WouldBlock = 11; // EAGAIN

    private readonly int _fd;
    private readonly Dictionary<int, string> _pathsByWatch = [];

    private FileAccessWatch(IEnumerable<string> paths)
    {
        _fd = InotifyInit(NonBlocking | CloseOnExec);
        if (_fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "inotify_init1");
        }

        foreach (var path in paths)
        {
            var watch = InotifyAddWatch(_fd, Encoding.UTF8.GetBytes(path + "\0"), Open | Access);
            if (watch < 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"inotify_add_watch {path}");
            }

            _pathsByWatch[watch] = path;
        }
    }

    public static FileAccessWatch On(params string[] paths) => new(paths);

    /// <summary>The paths opened or read since the watch started (or since the last call).</summary>
    public List<string> Accesses()
    {
        var accesses = new List<string>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = (int)Read(_fd, buffer, buffer.Length);
            if (length < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                return error == WouldBlock ? accesses : throw new Win32Exception(error, "read inotify");
            }

            // struct inotify_event: int wd, u32 mask, u32 cookie, u32 len, char name[len].
            for (var offset = 0; offset < length;)
            {
                var watch = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset));
                var nameLength = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset + 12));
                var name = Encoding.UTF8.GetString(buffer, offset + 16, nameLength).TrimEnd('\0');
                accesses.Add(name.Length == 0 ? _pathsByWatch[watch] : Path.Combine(_pathsByWatch[watch], name));
                offset += 16 + nameLength;
            }
        }
    }

    public void Dispose() => _ = Close(_fd);

    [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static extern int InotifyInit(int flags);

    [DllImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
    private static extern int InotifyAddWatch(int fd, byte[] pathname, uint mask);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
