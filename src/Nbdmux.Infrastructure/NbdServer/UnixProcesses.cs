using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Signals and /proc look-ups for processes nbdmux did not start directly: nbd-server
/// daemonizes, so its parent is not a child of nbdmux and cannot be waited for.
/// </summary>
public static partial class UnixProcesses
{
    public const int SigKill = 9;

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != 3 /* ESRCH: already gone */)
        {
            throw new IOException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The process's start time in clock ticks since boot, or null if it is gone or a zombie.</summary>
    public static long? StartTicksOfLiving(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // Fields after the parenthesised command name: state is field 3, starttime field 22.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[0] is "Z" or "X" ? null : long.Parse(fields[19]);
    }

    public static bool IsAlive(RunningNbdServer server) => StartTicksOfLiving(server.Pid) == server.StartTicks;

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

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
