namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// The daemonized nbd-server parent. Its start time (from /proc) tells it apart from a later
/// process that reuses the pid.
/// </summary>
public sealed record RunningNbdServer(int Pid, long StartTicks, DateTimeOffset Since);
