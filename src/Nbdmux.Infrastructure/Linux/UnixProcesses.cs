using System.Globalization;
using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// Signals, /proc look-ups and waits for processes nbdmux did not start directly: nbd-server
/// daemonizes, so its listener is a child of nbdmux only because nbdmux is a child subreaper.
/// </summary>
public static partial class UnixProcesses
{
    public const int SigKill = 9;

    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;
    private const int EChild = 10;

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != 3 /* ESRCH: already gone */)
        {
            throw new IOException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private const int ClockTicksPerSecond = 100; // USER_HZ, fixed at 100 by the Linux ABI

    private static readonly Lazy<DateTimeOffset> BootTime = new(ReadBootTime);

    /// <summary>When a process started, from its start time in clock ticks since boot.</summary>
    public static DateTimeOffset StartedAt(long startTicks) => BootTime.Value.AddSeconds((double)startTicks / ClockTicksPerSecond);

    private static DateTimeOffset ReadBootTime()
    {
        var line = File.ReadAllText("/proc/stat").Split('\n').First(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line[6..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The process's start time in clock ticks since boot, or null if it is gone or a zombie.</summary>
    public static long? StartTicksOfLiving(int pid) =>
        ReadStat(pid) is { State: not ('Z' or 'X') } stat ? stat.StartTicks : null;

    /// <summary>Whether the process that started at <paramref name="startTicks"/> still runs as <paramref name="pid"/>.</summary>
    /// <summary>The process's start time in clock ticks since boot, zombie or not, or null if it is gone.</summary>
    public static long? StartTicksOf(int pid) => ReadStat(pid)?.StartTicks;

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>
    /// Makes orphaned descendants this process's children instead of init's: the daemonized
    /// nbd-server listener, and the client processes a killed listener leaves behind. Only a
    /// parent learns how a process ended, and it must then reap it (<see cref="Reap"/>).
    /// </summary>
    public static void BecomeChildSubreaper()
    {
        if (Prctl(PrSetChildSubreaper, 1, 0, 0, 0) != 0)
        {
            throw new IOException($"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Collects a child that has ended: its exit status, null while it still runs, or
    /// <see cref="ExitStatus.Unknown"/> if it is not (or no longer) this process's child. Only
    /// for pids nothing else waits for: .NET's Process waits for the children it started itself,
    /// so nbdmux never waits for any child (pid -1), only for the nbd-server processes it knows.
    /// </summary>
    public static ExitStatus? Reap(int pid)
    {
        var reaped = WaitPid(pid, out var status, WNoHang);
        if (reaped == pid)
        {
            return ExitStatus.FromWaitStatus(status);
        }

        if (reaped == 0)
        {
            return null;
        }

        return Marshal.GetLastPInvokeError() == EChild
            ? ExitStatus.Unknown
            : throw new IOException($"waitpid({pid}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// This process's children, ended or not, that run <paramref name="command"/> in a session
    /// they do not lead and that is not this process's: what a daemon forked, orphaned when the
    /// daemon ended. A daemon leads a session of its own, which every process it forks inherits;
    /// the processes this one starts itself stay in its session.
    /// </summary>
    public static IEnumerable<int> OrphansOfDaemons(string command)
    {
        var ownSession = ReadStat(Environment.ProcessId)!.Value.Session;
        return Running(command).Where(pid => ReadStat(pid) is { } stat &&
            stat.ParentPid == Environment.ProcessId && stat.Session != pid && stat.Session != ownSession);
    }

    /// <summary>Every process running <paramref name="command"/>: a scan of all of /proc.</summary>
    public static IEnumerable<int> Running(string command)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ReadStat(pid)?.Command == command)
            {
                yield return pid;
            }
        }
    }

    /// <summary>
    /// Whether the process is this process's child and has ended, waiting to be reaped: then its
    /// pid cannot have been reused, and waiting for it collects exactly its status.
    /// </summary>
    public static bool HasEndedAsChild(int pid, long startTicks) =>
        ReadStat(pid) is { State: 'Z' } stat && stat.ParentPid == Environment.ProcessId && stat.StartTicks == startTicks;

    private static (string Command, char State, int ParentPid, int Session, long StartTicks)? ReadStat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) // gone, or another user's under hidepid
        {
            return null;
        }

        // "pid (command) " then the other fields: state is field 3, ppid 4, session 6, starttime 22.
        var command = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (command, fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
