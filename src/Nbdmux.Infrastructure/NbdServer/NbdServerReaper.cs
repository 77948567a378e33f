using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Waits for the nbd-server processes that are nbdmux's children because it is a child subreaper
/// (<see cref="UnixProcesses.BecomeChildSubreaper"/>): each listener once it has ended, and the
/// client processes a listener leaves behind, which go on serving their clients until they
/// disconnect. Waiting is how nbdmux learns how each one ended, and what keeps them from
/// lingering as zombies. It only ever waits for these pids: .NET's Process waits for the
/// children nbdmux starts itself (nbd-server's launcher).
/// </summary>
public sealed class NbdServerReaper(ILogger<NbdServerReaper> logger)
{
    /// <summary>Client processes of ended listeners, by pid, with whom they served when adopted.</summary>
    private readonly ConcurrentDictionary<int, ClientConnection?> _orphans = new();

    /// <summary>1 when a listener has ended since its client processes were last looked for.</summary>
    private int _listenerEnded;

    /// <summary>
    /// Collects a listener that has ended: the client processes it leaves behind are adopted
    /// later, by <see cref="CollectOrphans"/>, so that a listener restart does not wait on a
    /// /proc scan.
    /// </summary>
    public ExitStatus Collect(ServerProcess listener)
    {
        Interlocked.Exchange(ref _listenerEnded, 1);
        return listener.Process.Collect();
    }

    /// <summary>
    /// Reaps the client processes of ended listeners that have ended too, first adopting those of
    /// listeners collected since the last call. <paramref name="connections"/> says whom each
    /// served, for the log line when it ends.
    /// </summary>
    public void CollectOrphans(Func<IReadOnlyList<ClientConnection>> connections)
    {
        if (Interlocked.Exchange(ref _listenerEnded, 0) == 1 &&
            UnixProcesses.OrphansOfDaemons("nbd-server").Where(pid => !_orphans.ContainsKey(pid)).ToList() is { Count: > 0 } adopted)
        {
            var serving = connections();
            foreach (var pid in adopted)
            {
                _orphans[pid] = serving.FirstOrDefault(connection => connection.Id == $"{pid}");
            }
        }

        foreach (var (pid, connection) in _orphans)
        {
            if (UnixProcesses.Reap(pid) is { } exit)
            {
                _orphans.TryRemove(pid, out _);
                LogEnd(pid, connection, exit);
            }
        }
    }

    /// <summary>A client leaving is routine (Debug); any other end is worth a line.</summary>
    private void LogEnd(int pid, ClientConnection? connection, ExitStatus exit)
    {
        var level = exit.Code == 0 ? LogLevel.Debug : LogLevel.Information;
        if (connection is null)
        {
            logger.Log(level, "nbd-server client process {Pid} of an earlier listener ended, {ExitStatus}", pid, exit);
        }
        else
        {
            logger.Log(
                level, "nbd-server client process {Pid} serving {Peer} on export {ExportName} ended, {ExitStatus}",
                pid, connection.Peer, connection.Export, exit);
        }
    }
}
