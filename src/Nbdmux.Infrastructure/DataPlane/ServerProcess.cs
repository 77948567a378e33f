using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>A running NBD server process, held by its <see cref="ProcessHandle"/>, and since when it serves.</summary>
public sealed class ServerProcess(ProcessHandle process, DateTimeOffset since) : IDisposable
{
    public ProcessHandle Process { get; } = process;

    public int Pid => Process.Pid;

    public DateTimeOffset Since { get; } = since;

    public bool HasExited => Process.HasExited;

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => Process.WaitForExitAsync(timeout);

    public void Dispose() => Process.Dispose();

    public override string ToString() => $"{Pid}";
}
