using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Nbdmux.Application.Common;
using Nbdmux.Infrastructure.DataPlane;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// One process, for as long as the handle is kept, where its pid alone may name another process
/// as soon as the first is gone (pid_max is 32,768 by default). A pidfd (Linux 5.3+) says whether
/// the process has exited in one poll(2), with no /proc file to read.
/// </summary>
public sealed partial class ProcessHandle : IDisposable
{
    private const int NoSuchProcess = 3; // ESRCH
    private const short PollIn = 1;      // POLLIN on a pidfd: the process has exited (a zombie counts)

    private readonly SafeFileHandle? _pidfd;
    private readonly int _pid;
    private readonly long _startTicks;

    private ProcessHandle(SafeFileHandle? pidfd, int pid, long startTicks) => (_pidfd, _pid, _startTicks) = (pidfd, pid, startTicks);

    /// <summary>A handle on the process running as <paramref name="pid"/> now, or null if there is none.</summary>
    public static ProcessHandle? Open(int pid)
    {
        var fd = PidfdOpen(pid, 0);
        if (fd >= 0)
        {
            return new ProcessHandle(new SafeFileHandle(fd, ownsHandle: true), pid, 0);
        }

        return Marshal.GetLastPInvokeError() == NoSuchProcess ? null : ByStartTime(pid);
    }

    /// <summary>
    /// Where pidfd_open is refused (Linux before 5.3, or a seccomp profile older than it): the
    /// process is its pid with its start time, which a process reusing the pid cannot share.
    /// Each look at it then costs a /proc read.
    /// </summary>
    public static ProcessHandle? ByStartTime(int pid) =>
        UnixProcesses.StartTicksOfLiving(pid) is { } ticks ? new ProcessHandle(null, pid, ticks) : null;

    public bool HasExited => _pidfd is { } pidfd ? Polls(pidfd, PollIn) : UnixProcesses.StartTicksOfLiving(_pid) != _startTicks;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the process to exit: a pidfd wakes the moment it
    /// does (a restart waits on this, so every millisecond of polling would show in its latency).
    /// </summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (_pidfd is { } pidfd)
        {
            var entry = Entry(pidfd, PollIn);
            return Task.FromResult(Poll(ref entry, 1, (int)Math.Ceiling(timeout.TotalMilliseconds)) > 0);
        }

        return WaitForStartTimeChangeAsync(timeout);
    }

    private Task<bool> WaitForStartTimeChangeAsync(TimeSpan timeout) =>
        TimeProvider.System.UntilAsync(() => HasExited, timeout, CancellationToken.None);

    public void Dispose() => _pidfd?.Dispose();

    private static bool Polls(SafeFileHandle fd, short events)
    {
        var entry = Entry(fd, events);
        return Poll(ref entry, 1, 0) > 0 && (entry.ReturnedEvents & events) != 0;
    }

    private static PollEntry Entry(SafeFileHandle fd, short events) => new() { Fd = (int)fd.DangerousGetHandle(), Events = events };

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
