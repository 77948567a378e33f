using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>
/// A running NBD server process: its pid, held by a <see cref="ProcessHandle"/> so that a later
/// process reusing the pid is never mistaken for it, and when it started serving.
/// </summary>
public sealed class ServerProcess(int pid, ProcessHandle handle, DateTimeOffset since) : IDisposable
{
    public int Pid { get; } = pid;

    public DateTimeOffset Since { get; } = since;

    public bool HasExited => handle.HasExited;

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => handle.WaitForExitAsync(timeout);

    public void Dispose() => handle.Dispose();

    public override string ToString() => $"{Pid}";
}
