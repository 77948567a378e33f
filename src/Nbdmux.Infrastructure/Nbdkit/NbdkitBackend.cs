using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// One nbdkit process serves every export through nbdmux's plugin, which reads what nbdmux
/// published at each client's open: a change is a file written or deleted, never a signal or a
/// restart. nbdkit outlives nbdmux so that booted machines keep their disks; the next nbdmux
/// on the data dir adopts it.
/// </summary>
public sealed class NbdkitBackend(
    NbdkitLayout layout,
    ExportRecords records,
    NbdkitLauncher launcher,
    NbdkitLog log,
    WithheldReports withheld,
    ConnectionFiles connections,
    ConnectionCutter cutter,
    OverlayFiles overlays,
    IImageFiles files,
    ILogger<NbdkitBackend> logger) : INbdBackend
{
    /// <summary>The nbdkit processes this nbdmux started, kept until they have ended and been described.</summary>
    private readonly ConcurrentDictionary<int, Process> _children = new();

    /// <summary>Records an adopted server was serving, not yet published again by this nbdmux.</summary>
    private HashSet<string>? _unconfirmed;

    /// <summary>The pid of the nbdkit launched or adopted last (0: none); only it opens files under cow/.</summary>
    private volatile int _servingPid;

    public string Name => "nbdkit";

    public async Task<ServerProcess?> RecoverAsync(CancellationToken cancellationToken)
    {
        layout.Create();
        records.RemoveUnfinished();
        withheld.Clear();
        cutter.Clear();
        if (launcher.FindRunning() is not { } found)
        {
            records.Clear();
            return null;
        }

        if (!found.SameCommand)
        {
            logger.LogWarning(
                "nbdkit {Pid} left running on this data dir is another build or listens elsewhere: killing it, which cuts its clients",
                found.Pid);
            await NbdkitLauncher.KillAsync(found.Handle);
            found.Handle.Dispose();
            records.Clear();
            return null;
        }

        records.RestoreStopped();
        _unconfirmed = records.Names().ToHashSet(StringComparer.Ordinal);
        log.SkipToEnd();
        logger.LogInformation(
            "Adopted nbdkit {Pid}, serving since {Since}: its connected clients stay connected", found.Pid, found.Since);
        _servingPid = found.Pid;
        return new ServerProcess(found.Handle, found.Since);
    }

    /// <summary>
    /// The file is checked here as at registration (the plugin checks it again at every client's
    /// open), so a change that cannot be served is refused before anything changes.
    /// </summary>
    public PublishEffect Publish(ServedExport export, ServerProcess? running)
    {
        if (files.ProblemServing(export) is { } problem)
        {
            throw new ImageUnservableException(problem);
        }

        records.Publish(export);
        _unconfirmed?.Remove(export.Name);
        return PublishEffect.Live;
    }

    public void Withdraw(string name)
    {
        _unconfirmed?.Remove(name);
        records.Delete(name);
    }

    public async Task<ServerProcess> LaunchAsync(CancellationToken cancellationToken)
    {
        var (server, child) = await launcher.LaunchAsync(cancellationToken);
        _children[server.Pid] = child;
        _servingPid = server.Pid;
        return server;
    }

    /// <summary>
    /// On shutdown nbdkit is left running, serving its connected clients until they disconnect,
    /// and every record is put away so that new clients are refused. On restart it is killed:
    /// the supervisor restarts only a server that is dead or does not answer.
    /// </summary>
    public async Task StopAsync(ServerProcess server, StopReason reason)
    {
        if (reason == StopReason.Shutdown)
        {
            records.PutAway();
            logger.LogInformation(
                "nbdkit {Pid} keeps serving the clients connected now; new clients are refused until nbdmux starts again", server.Pid);
            return;
        }

        await NbdkitLauncher.KillAsync(server.Process);
    }

    public string DescribeExit(ServerProcess server) =>
        _children.TryRemove(server.Pid, out var child)
            ? DescribeAndDispose(child)
            : ExitStatus.Unknown.ToString();

    public IReadOnlyDictionary<string, string> Poll(ServerProcess? running)
    {
        if (_unconfirmed is { } stale)
        {
            // The first tick comes after start-up published every registered export again: what is
            // left was removed from the registry while no nbdmux ran.
            _unconfirmed = null;
            foreach (var name in stale)
            {
                records.Delete(name);
            }
        }

        foreach (var line in log.ReadNewLines())
        {
            logger.LogWarning("nbdkit: {Line}", line);
        }

        return withheld.Collect();
    }

    public IReadOnlyList<ClientConnection> Connections(ServerProcess? running) => connections.Read(running?.Pid);

    public Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken) =>
        cutter.CutAsync(connections, cancellationToken);

    public long OverlayBytes() => _servingPid is not 0 and var pid ? overlays.BytesOf(pid) : 0;

    private static string DescribeAndDispose(Process child)
    {
        using (child)
        {
            return NbdkitLauncher.Describe(child);
        }
    }
}
