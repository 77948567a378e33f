namespace Nbdmux.Application.Common.Interfaces;

public enum NbdServerState
{
    Starting,
    Running,
    Restarting,
    Down,
}

/// <summary>A snapshot of the nbd-server process as the supervisor sees it.</summary>
public sealed record NbdServerStatus(
    NbdServerState State,
    int? Pid,
    DateTimeOffset? RunningSince,
    int RestartCount,
    string? LastError)
{
    public bool IsRunning => State == NbdServerState.Running;
}
