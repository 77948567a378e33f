using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// A pidfd (Linux 5.3+): it refers to one process for the whole life of the handle, where the
/// pid alone may name another process as soon as the first is gone (pid_max is 32,768 by
/// default). Whether the process has exited is one poll(2), with no /proc file to read.
/// </summary>
public sealed partial class ProcessHandle : IDisposable
{
    private const int NoSuchProcess = 3; // ESRCH
    private const short PollIn = 1;      // POLLIN: the process has exited (a zombie counts)

    private readonly SafeFileHandle _pidfd;

    private ProcessHandle(SafeFileHandle pidfd) => _pidfd = pidfd;

    /// <summary>A handle on the process now running as <paramref name="pid"/>, or null if there is none.</summary>
    public static ProcessHandle? Open(int pid)
    {
        var fd = PidfdOpen(pid, 0);
        if (fd >= 0)
        {
            return new ProcessHandle(new SafeFileHandle(fd, ownsHandle: true));
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == NoSuchProcess ? null : throw new IOException($"pidfd_open({pid}) failed: errno {errno}");
    }

    public bool HasExited
    {
        get
        {
            var entry = new PollEntry { Fd = (int)_pidfd.DangerousGetHandle(), Events = PollIn };
            return Poll(ref entry, 1, 0) > 0 && (entry.ReturnedEvents & PollIn) != 0;
        }
    }

    public void Dispose() => _pidfd.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct PollEntry
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidfdOpen(int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(ref PollEntry entries, nuint count, int timeoutMilliseconds);
}
