using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Nbdmux.Application.Common;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// One process, for as long as the handle is kept, where its pid alone may name another process
/// as soon as the first is gone. A pidfd (Linux 5.3+) says whether the process has exited in one
/// poll(2) and signals exactly it; the start time read when the handle was opened tells whether
/// an ended process is still nbdmux's unreaped child, so that waiting for its pid collects its own
/// status.
/// </summary>
public sealed partial class ProcessHandle : IDisposable
{
    private const int NoSuchProcess = 3; // ESRCH
    private const short PollIn = 1;      // POLLIN on a pidfd: the process has exited (a zombie counts)

    private readonly SafeFileHandle? _pidfd;
    private readonly long _startTicks;

    private ProcessHandle(SafeFileHandle? pidfd, int pid, long startTicks) => (_pidfd, Pid, _startTicks) = (pidfd, pid, startTicks);

    public int Pid { get; }

    /// <summary>When the process started.</summary>
    public DateTimeOffset StartedAt => UnixProcesses.StartedAt(_startTicks);

    /// <summary>A handle on the process running as <paramref name="pid"/> now, or null if there is none.</summary>
    public static ProcessHandle? Open(int pid)
    {
        var fd = PidfdOpen(pid, 0);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError() == NoSuchProcess ? null : ByStartTime(pid);
        }

        var pidfd = new SafeFileHandle(fd, ownsHandle: true);
        // Read after the pidfd holds the process: a zombie keeps its pid, so this is its own.
        if (UnixProcesses.StartTicksOf(pid) is { } ticks)
        {
            return new ProcessHandle(pidfd, pid, ticks);
        }

        pidfd.Dispose();
        return null;
    }

    /// <summary>
    /// Where pidfd_open is refused (Linux before 5.3, or a seccomp profile older than it): the
    /// process is its pid with its start time, which a process reusing the pid cannot share.
    /// Each look at it then costs a /proc read.
    /// </summary>
    public static ProcessHandle? ByStartTime(int pid) =>
        UnixProcesses.StartTicksOfLiving(pid) is { } ticks ? new ProcessHandle(null, pid, ticks) : null;

    public bool HasExited => _pidfd is { } pidfd ? Polls(pidfd, PollIn) : UnixProcesses.StartTicksOfLiving(Pid) != _startTicks;

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

        return TimeProvider.System.UntilAsync(() => HasExited, timeout, CancellationToken.None);
    }

    /// <summary>SIGKILL to this process, never to one that reused its pid; nothing if it has ended.</summary>
    public void Kill()
    {
        if (_pidfd is { } pidfd)
        {
            if (PidfdSendSignal(pidfd, UnixProcesses.SigKill, 0, 0) != 0 && Marshal.GetLastPInvokeError() != NoSuchProcess)
            {
                throw new IOException($"pidfd_send_signal({Pid}, SIGKILL) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        else if (!HasExited)
        {
            UnixProcesses.Signal(Pid, UnixProcesses.SigKill);
        }
    }

    /// <summary>
    /// How it ended, once it has: reaped if it is nbdmux's child (nbdmux is a child subreaper, so
    /// daemons it started are), <see cref="ExitStatus.Unknown"/> otherwise.
    /// </summary>
    public ExitStatus Collect() =>
        UnixProcesses.HasEndedAsChild(Pid, _startTicks) ? UnixProcesses.Reap(Pid) ?? ExitStatus.Unknown : ExitStatus.Unknown;

    public void Dispose() => _pidfd?.Dispose();

    public override string ToString() => $"{Pid}";

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

    [LibraryImport("libc", EntryPoint = "pidfd_send_signal", SetLastError = true)]
    private static partial int PidfdSendSignal(SafeFileHandle pidfd, int signal, nint info, uint flags);

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(ref PollEntry entries, nuint count, int timeoutMilliseconds);
}
