namespace Nbdmux.Infrastructure.Linux;

/// <summary>A process's direct children, from /proc/PID/task/PID/children: one small read instead of a scan of /proc.</summary>
public static class ChildProcesses
{
    /// <summary>
    /// The pids of the children its main thread started (nbd-server's listener is single-threaded:
    /// it accepts and forks in its main loop), or null when that cannot be read: the process is
    /// gone, or the kernel lacks CONFIG_PROC_CHILDREN (the caller then scans /proc).
    /// </summary>
    public static List<int>? Of(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
