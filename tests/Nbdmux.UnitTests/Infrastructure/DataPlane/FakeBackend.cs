using System.Diagnostics;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure.DataPlane;

/// <summary>
/// A backend whose "server" is a real `sleep` process, so the supervisor watches a real pid
/// (crashing it is killing it), while what it publishes and how it starts are scripted.
/// </summary>
public sealed class FakeBackend : INbdBackend, IDisposable
{
    private readonly List<Process> _processes = [];

    public string Name => "fake";

    /// <summary>What <see cref="Publish"/> answers for each export (Live unless set).</summary>
    public Func<ServedExport, PublishEffect> EffectOf { get; set; } = _ => PublishEffect.Live;

    /// <summary>Throws instead of launching while set.</summary>
    public Exception? LaunchFailure { get; set; }

    public Dictionary<string, ServedExport> Published { get; } = new(StringComparer.Ordinal);

    public int Launches { get; private set; }

    public List<StopReason> Stops { get; } = [];

    public Dictionary<string, string> RefusedSinceLastPoll { get; } = new(StringComparer.Ordinal);

    public ServerProcess? Current { get; private set; }

    public Task<ServerProcess?> RecoverAsync(CancellationToken cancellationToken) => Task.FromResult<ServerProcess?>(null);

    public PublishEffect Publish(ServedExport export, ServerProcess? running)
    {
        Published[export.Name] = export;
        return EffectOf(export);
    }

    public void Withdraw(string name) => Published.Remove(name);

    public Task<ServerProcess> LaunchAsync(CancellationToken cancellationToken)
    {
        Launches++;
        if (LaunchFailure is { } failure)
        {
            throw failure;
        }

        var process = Process.Start("sleep", "600");
        _processes.Add(process);
        Current = new ServerProcess(ProcessHandle.Open(process.Id)!, DateTimeOffset.UtcNow);
        return Task.FromResult(Current);
    }

    public Task StopAsync(ServerProcess server, StopReason reason)
    {
        Stops.Add(reason);
        Crash(server);
        return Task.CompletedTask;
    }

    public string DescribeExit(ServerProcess server) => "killed";

    public IReadOnlyDictionary<string, string> Poll(ServerProcess? running)
    {
        var refused = RefusedSinceLastPoll.ToDictionary();
        RefusedSinceLastPoll.Clear();
        return refused;
    }

    public IReadOnlyList<ClientConnection> Connections(ServerProcess? running) => [];

    public Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken) => Task.CompletedTask;

    public long OverlayBytes() => 0;

    public void Crash(ServerProcess server)
    {
        var process = _processes.Single(p => p.Id == server.Pid);
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Kill();
        }
    }
}
