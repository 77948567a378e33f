using Nbdmux.Infrastructure.Linux;
namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// The daemonized nbd-server parent. Its start time (from /proc) tells it apart from a later
/// process that reuses the pid.
/// </summary>
public sealed record RunningNbdServer(int Pid, long StartTicks, DateTimeOffset Since)
{
    public bool IsAlive => UnixProcesses.IsAlive(Pid, StartTicks);

    /// <summary>
    /// Whether it is nbdmux's child and has ended, waiting to be reaped: then its pid cannot have
    /// been reused, and waiting for it collects exactly its status.
    /// </summary>
    public bool HasEndedAsChild => UnixProcesses.HasEndedAsChild(Pid, StartTicks);
}
