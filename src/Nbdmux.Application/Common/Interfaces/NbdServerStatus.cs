namespace Nbdmux.Application.Common.Interfaces;

public enum NbdServerState
{
    Starting,
    Running,
    Restarting,
    Down,
}

/// <summary>A snapshot of the nbd-server process as the supervisor sees it.</summary>
/// <param name="RestartCount">Restarts after the server died or stopped answering.</param>
/// <param name="Withheld">Registered exports it refuses to serve, with the reason (e.g. outside the image roots).</param>
/// <param name="PlannedRestartCount">Restarts an export change needed (nbd-server learns new names only so); not a fault.</param>
/// <param name="Served">Exports it serves.</param>
/// <param name="Backend">Which NBD server it is: nbdkit or nbd-server.</param>
public sealed record NbdServerStatus(
    NbdServerState State,
    int? Pid,
    DateTimeOffset? RunningSince,
    int RestartCount,
    string? LastError,
    IReadOnlyDictionary<string, string>? Withheld = null,
    int PlannedRestartCount = 0,
    int Served = 0,
    string? Backend = null)
{
    public bool IsRunning => State == NbdServerState.Running;

    public string? WithheldReason(string export) => Withheld?.GetValueOrDefault(export);
}
