using System.Globalization;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Debian's nbd-server 3.24 as the NBD server: a listener that forks one process per client, so a
/// crash or restart of the listener never cuts a connected client. It can neither add a section
/// while running (SIGHUP corrupts it, docs/architecture.md) nor change a section's mode, so those
/// changes restart the listener (SIGKILL: its clients keep their own processes). A file change,
/// a removal and an allow-list change go through the per-export link and authfile that nbd-server
/// reads afresh for every client (<see cref="ExportGates"/>): live, no restart.
/// </summary>
public sealed class NbdServerBackend(
    NbdServerLauncher launcher,
    NbdServerConfig config,
    ExportGates gates,
    NbdServerLayout layout,
    INbdProbe probe,
    ClientConnectionTable connectionTable,
    NbdServerReaper reaper,
    NbdmuxOptions options,
    TimeProvider time,
    ILogger<NbdServerBackend> logger) : INbdBackend
{
    public const string BackendName = "nbd-server";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PortReleaseWait = TimeSpan.FromSeconds(1);

    /// <summary>Far longer than a real client's handshake (one round trip and a fork).</summary>
    private static readonly TimeSpan HandshakeGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A new listener's first handshakes get a short timeout: while a stalled client process of
    /// the old listener holds the port, a connection lands in the old socket's backlog, where
    /// nothing will ever answer it.
    /// </summary>
    private static readonly TimeSpan StartupProbeTimeout = TimeSpan.FromMilliseconds(300);

    private readonly SortedDictionary<string, ServedExport> _published = new(StringComparer.Ordinal);

    /// <summary>The mode each section had when the running listener loaded its config.</summary>
    private Dictionary<string, SectionMode> _loaded = new(StringComparer.Ordinal);

    /// <summary>Each published export's file, swapped whole, for connection look-ups that run without the supervisor's gate.</summary>
    private volatile IReadOnlyDictionary<string, string> _servedFiles = new Dictionary<string, string>();

    private volatile ServerProcess? _listener;

    private bool _startCostLogged;

    private long _lastHandshakeCheck;

    public string Name => BackendName;

    public async Task<ServerProcess?> RecoverAsync(CancellationToken cancellationToken)
    {
        // nbd-server daemonizes: without this its listener would be init's child, and how it
        // ended would be lost.
        UnixProcesses.BecomeChildSubreaper();
        layout.Create();
        if (launcher.FindLeftover() is { } leftover)
        {
            logger.LogWarning("Replacing nbd-server {Pid} left running by an earlier nbdmux; its clients keep their own processes", leftover.Pid);
            await StopListenerAsync(leftover, "replaces it");
            leftover.Dispose();
        }

        DeleteAbandonedOverlays();
        gates.DeleteAllExcept(new HashSet<string>());
        gates.Close(NbdServerConfig.PlaceholderSection);
        return null;
    }

    public PublishEffect Publish(ServedExport export, ServerProcess? running)
    {
        gates.Open(export);
        _published[export.Name] = export;
        WriteConfig();
        return running is not null && _loaded.TryGetValue(export.Name, out var loaded) && loaded == SectionMode.Of(export)
            ? PublishEffect.Live
            : PublishEffect.NeedsRestart;
    }

    public void Withdraw(string name)
    {
        gates.Close(name);
        _published.Remove(name);
        WriteConfig();
    }

    /// <summary>
    /// A child of the old listener that is still negotiating, or was just refused, holds the
    /// listening socket for a moment after the listener dies, and the new listener's bind then
    /// fails: such a launch is retried until the socket is released, within a second. A child
    /// still negotiating after <see cref="HandshakeGrace"/> is a stalled or hostile peer that
    /// would otherwise block every new export name: it is ended.
    /// </summary>
    public async Task<ServerProcess> LaunchAsync(CancellationToken cancellationToken)
    {
        if (!_startCostLogged)
        {
            launcher.LogStartCost();
            _startCostLogged = true;
        }

        WriteConfig();
        var started = time.GetTimestamp();
        var stalledHandshakesEnded = false;
        while (true)
        {
            if (!stalledHandshakesEnded && time.GetElapsedTime(started) >= HandshakeGrace)
            {
                EndStalledHandshakes();
                stalledHandshakesEnded = true;
            }

            ServerProcess server;
            try
            {
                server = await launcher.LaunchAsync(cancellationToken);
            }
            catch (NbdServerStartException e) when (time.GetElapsedTime(started) < PortReleaseWait)
            {
                logger.LogInformation("nbd-server exited right after launch ({Reason}); launching again", e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken);
                continue;
            }

            try
            {
                if (await AnswersOnceStartedAsync(server, cancellationToken))
                {
                    _listener = server;
                    _loaded = _published.Values.ToDictionary(e => e.Name, SectionMode.Of, StringComparer.Ordinal);
                    return server;
                }
            }
            catch
            {
                await StopListenerAsync(server, "gives up on it");
                server.Dispose();
                throw;
            }

            var exit = reaper.Collect(server);
            server.Dispose();
            if (time.GetElapsedTime(started) >= PortReleaseWait)
            {
                throw new NbdServerStartException(
                    $"nbd-server {server.Pid} {exit} right after starting (is port {probe.Endpoint.Port} in use? its reason is in syslog)");
            }

            logger.LogInformation("nbd-server {Pid} {ExitStatus} right after launch; launching again", server.Pid, exit);
            await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken);
        }
    }

    public async Task StopAsync(ServerProcess server, StopReason reason)
    {
        if (_listener == server)
        {
            await StopListenerAsync(server, reason == StopReason.Shutdown ? "stops" : "restarts it");
            _listener = null;
        }
    }

    public string DescribeExit(ServerProcess server)
    {
        if (_listener != server)
        {
            return "ended";
        }

        _listener = null;
        return $"{reaper.Collect(server)}";
    }

    public IReadOnlyDictionary<string, string> Poll(ServerProcess? running)
    {
        reaper.CollectOrphans(() => Connections(running));
        if (time.GetElapsedTime(_lastHandshakeCheck) >= TimeSpan.FromSeconds(1))
        {
            _lastHandshakeCheck = time.GetTimestamp();
            EndHandshakesOlderThan(TimeSpan.FromSeconds(options.HandshakeTimeout));
        }

        return NothingWithheld;
    }

    /// <summary>
    /// nbd-server has no handshake timeout: a client that connects and never negotiates holds a
    /// process (and, once its listener is restarted, the listening socket) for ever. A client
    /// process that has not opened its export by <paramref name="timeout"/> after it started is
    /// still negotiating, and is ended; clients being served are never touched.
    /// </summary>
    private void EndHandshakesOlderThan(TimeSpan timeout)
    {
        var serving = Connections(null).Select(connection => connection.Id).ToHashSet();
        var negotiating = (_listener is { } listener ? ChildProcesses.Of(listener.Pid) ?? [] : [])
            .Concat(UnixProcesses.OrphansOfDaemons("nbd-server"))
            .Where(pid => !serving.Contains($"{pid}"));
        foreach (var pid in negotiating)
        {
            using var process = ProcessHandle.Open(pid);
            if (process is not null && time.GetUtcNow() - process.StartedAt > timeout)
            {
                logger.LogWarning(
                    "Disconnecting nbd-server client process {Pid}: its client has not finished negotiating within {TimeoutSeconds} s",
                    pid, timeout.TotalSeconds);
                process.Kill();
            }
        }
    }

    public IReadOnlyList<ClientConnection> Connections(ServerProcess? running) => connectionTable.Read(_listener?.Pid, _servedFiles);

    public async Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken)
    {
        foreach (var connection in connections)
        {
            using var process = ProcessHandle.Open(int.Parse(connection.Id, CultureInfo.InvariantCulture));
            // Checked once the handle holds the process: still serving this peer, the pid is the connection's.
            if (process is not null && connectionTable.IsServing(connection))
            {
                process.Kill();
            }
        }

        await time.UntilAsync(() => !connections.Any(connectionTable.IsServing), ReadyTimeout, cancellationToken);
    }

    /// <summary>Bytes held by copy-on-write overlays of connected clients.</summary>
    public long OverlayBytes() =>
        new DirectoryInfo(layout.CowDirectory) is { Exists: true } directory ? directory.EnumerateFiles().Sum(SizeOrZero) : 0;

    private static readonly IReadOnlyDictionary<string, string> NothingWithheld = new Dictionary<string, string>();

    /// <summary>An overlay can vanish between listing and stat, when its client disconnects.</summary>
    private static long SizeOrZero(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private void WriteConfig()
    {
        config.Write(_published.Values);
        _servedFiles = _published.Values.ToDictionary(e => e.Name, e => e.FilePath, StringComparer.Ordinal);
    }

    /// <summary>The placeholder admits nobody, so a policy refusal proves the whole negotiation path works.</summary>
    private async Task<bool> AnswersOnceStartedAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (!server.HasExited)
        {
            var answer = await probe.NegotiateAsync(NbdServerConfig.PlaceholderSection, cancellationToken, StartupProbeTimeout);
            if (answer.Outcome == ProbeOutcome.Refused && !server.HasExited)
            {
                return true;
            }

            if (time.GetElapsedTime(started) > ReadyTimeout)
            {
                throw new NbdServerStartException($"nbd-server {server.Pid} did not answer on {probe.Endpoint} within {ReadyTimeout.TotalSeconds} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), time, cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// Ends the client processes of earlier listeners that serve no export: with the listener
    /// gone, those are still negotiating (nbd-server opens the image only after the handshake), and
    /// they keep the listening socket open until they finish. Clients that are served are never
    /// touched.
    /// </summary>
    private void EndStalledHandshakes()
    {
        var serving = Connections(null).Select(connection => connection.Id).ToHashSet();
        foreach (var pid in UnixProcesses.OrphansOfDaemons("nbd-server").Where(pid => !serving.Contains($"{pid}")))
        {
            logger.LogWarning(
                "Ending nbd-server client process {Pid}: its client has been negotiating for over {GraceMs} ms and it holds the NBD port, so no new listener can bind",
                pid, HandshakeGrace.TotalMilliseconds);
            using var process = ProcessHandle.Open(pid);
            process?.Kill();
        }
    }

    /// <summary>
    /// SIGKILLs a listener nbdmux no longer wants and collects it; one that has already ended
    /// on its own is reported as a death.
    /// </summary>
    private async Task StopListenerAsync(ServerProcess server, string occasion)
    {
        if (server.HasExited)
        {
            logger.LogError("nbd-server {Pid} died, {ExitStatus}; connected clients keep their own processes", server.Pid, reaper.Collect(server));
            return;
        }

        await NbdServerLauncher.StopListeningAsync(server);
        logger.LogInformation(
            "nbd-server {Pid} stopped listening, {ExitStatus} as nbdmux {Occasion}; connected clients stay with their own processes",
            server.Pid, reaper.Collect(server), occasion);
    }

    /// <summary>
    /// nbd-server names each overlay IMAGE-PEER-PID.diff and deletes it when its client leaves;
    /// one whose process is gone was left by a crash.
    /// </summary>
    private void DeleteAbandonedOverlays()
    {
        foreach (var overlay in Directory.EnumerateFiles(layout.CowDirectory, "*.diff"))
        {
            var name = Path.GetFileNameWithoutExtension(overlay);
            if (!int.TryParse(name[(name.LastIndexOf('-') + 1)..], out var pid) || UnixProcesses.StartTicksOfLiving(pid) is null)
            {
                logger.LogInformation("Deleting copy-on-write overlay {Overlay} left by a client that is gone", overlay);
                File.Delete(overlay);
            }
        }
    }
}
