using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Polly;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Keeps one nbd-server serving exactly the registered exports without ever dropping a
/// connected client. nbd-server 3.24 kills every client on SIGTERM and corrupts its memory when
/// SIGHUP adds sections (docs/architecture.md), so the supervisor never signals it to reload:
/// <list type="bullet">
/// <item>it changes an export's file, removes it, or brings a removed one back through the
/// symlink and authfile that its section names (<see cref="ExportGates"/>), which nbd-server
/// reads afresh for every client: no restart at all;</item>
/// <item>for a name the running process has never loaded, or a change of mode, it restarts the
/// listener: SIGKILL of the parent (connected clients keep their own child processes) and a
/// fresh start on the new config;</item>
/// <item>and it proves each change with a real NBD negotiation before it returns.</item>
/// </list>
/// </summary>
public sealed class NbdServerSupervisor : BackgroundService, INbdServer
{
    /// <summary>How often the listener's liveness is read from /proc, and ended client processes are reaped.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(20);
    /// <summary>Without the preload library nbd-server generates DH parameters before it accepts (50-900 ms seen here).</summary>
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

    private readonly NbdServerLauncher _launcher;
    private readonly NbdServerConfig _config;
    private readonly ExportGates _gates;
    private readonly NbdServerLayout _layout;
    private readonly NbdProbe _probe;
    private readonly IServiceScopeFactory _scopes;
    private readonly ServedFileAudit _fileAudit;
    private readonly ClientConnectionTable _connections;
    private readonly NbdServerReaper _reaper;
    private readonly NbdmuxOptions _options;
    private readonly ILogger<NbdServerSupervisor> _logger;
    private readonly ResiliencePipeline _restartPolicy;

    /// <summary>Serialises every change to the process and the files it reads.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly SortedDictionary<string, ServedExport> _desired = new(StringComparer.Ordinal);

    /// <summary>A copy of each desired export's file, swapped whole, for readers that do not take the gate.</summary>
    private volatile IReadOnlyDictionary<string, string> _servedFiles = new Dictionary<string, string>();

    /// <summary>The sections the running process has loaded, with the mode it loaded each with.</summary>
    private Dictionary<string, SectionMode> _loaded = new(StringComparer.Ordinal);

    /// <summary>Registered exports not served, with why (set at start-up, cleared by a successful publish).</summary>
    private Dictionary<string, string> _withheld = new(StringComparer.Ordinal);

    private RunningNbdServer? _server;
    private int _restarts;
    private volatile NbdServerStatus _status = new(NbdServerState.Starting, null, null, 0, null);

    public NbdServerSupervisor(
        NbdServerLauncher launcher,
        NbdServerConfig config,
        ExportGates gates,
        NbdServerLayout layout,
        NbdProbe probe,
        IServiceScopeFactory scopes,
        ServedFileAudit fileAudit,
        ClientConnectionTable connections,
        NbdServerReaper reaper,
        NbdmuxOptions options,
        ILogger<NbdServerSupervisor> logger)
    {
        _launcher = launcher;
        _config = config;
        _gates = gates;
        _layout = layout;
        _probe = probe;
        _scopes = scopes;
        _fileAudit = fileAudit;
        _connections = connections;
        _reaper = reaper;
        _options = options;
        _logger = logger;
        _restartPolicy = NbdServerRestartPolicy.Create(OnRestartFailedAsync);
    }

    public NbdServerStatus Status => _status;

    /// <summary>The placeholder admits nobody, so a policy refusal proves the whole negotiation path works.</summary>
    public Task<bool> AnswersAsync(CancellationToken cancellationToken) => AnswersAsync(cancellationToken, within: null);

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken, TimeSpan? within) =>
        (await _probe.NegotiateAsync(NbdServerConfig.PlaceholderSection, cancellationToken, within)).Outcome == ProbeOutcome.Refused;

    public IReadOnlyList<ClientConnection> Connections() => _connections.Read(_server?.Pid, _servedFiles);

    public async Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken)
    {
        foreach (var connection in connections.Where(_connections.IsServing))
        {
            UnixProcesses.Signal(int.Parse(connection.Id), UnixProcesses.SigKill);
        }

        var elapsed = Stopwatch.StartNew();
        while (connections.Any(_connections.IsServing) && elapsed.Elapsed < ReadyTimeout)
        {
            await Task.Delay(5, cancellationToken);
        }

        _logger.LogWarning("Disconnected {Peers} on request", connections.Select(c => $"{c.Peer} ({c.Export})"));
    }

    /// <summary>Bytes held by copy-on-write overlays of connected clients.</summary>
    public long OverlayBytes() =>
        new DirectoryInfo(_layout.CowDirectory) is { Exists: true } directory ? directory.EnumerateFiles().Sum(SizeOrZero) : 0;

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

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // nbd-server daemonizes: without this its listener would be init's child, and how it
        // ended would be lost.
        UnixProcesses.BecomeChildSubreaper();
        _layout.Create();
        foreach (var export in await LoadRegisteredAsync(cancellationToken))
        {
            try
            {
                // The registered file, found again beneath its root, or nothing.
                _gates.Open(export);
            }
            catch (ImageUnservableException e)
            {
                _logger.LogWarning("Export {ExportName} is registered but NOT served: {Reason}", export.Name, e.Message);
                _withheld[export.Name] = e.Message;
                continue;
            }

            _desired[export.Name] = export;
        }

        if (_launcher.FindLeftover() is { } leftover)
        {
            _logger.LogWarning("Replacing nbd-server {Pid} left running by an earlier nbdmux", leftover.Pid);
            await StopListenerAsync(leftover, "replaces it");
        }

        DeleteAbandonedOverlays();
        _gates.DeleteAllExcept(_desired.Keys.ToHashSet());
        _gates.Close(NbdServerConfig.PlaceholderSection);

        PortCheck.EnsureFree(new System.Net.IPEndPoint(_options.BindAddress(), _options.NbdPort), "--nbd-port");
        _launcher.LogStartCost();
        try
        {
            await StartServerAsync(cancellationToken);
        }
        catch (NbdServerStartException e)
        {
            throw new StartupException($"nbd-server did not start: {e.Message}", e);
        }

        _logger.LogInformation("nbd-server serving {ExportCount} exports on {Endpoint}", _desired.Count, _probe.Endpoint);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_server is { } server)
            {
                await StopListenerAsync(server, "stops");
            }

            _server = null;
            _status = _status with { State = NbdServerState.Down, Pid = null, RunningSince = null };
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task PublishAsync(ServedExport export, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            EnsureRunning();
            var previous = _desired.GetValueOrDefault(export.Name);
            try
            {
                // Once started, a change runs to the end (bounded by its own timeouts): a caller
                // that hangs up must not leave nbd-server half reconfigured.
                await ApplyAsync(export, CancellationToken.None);
                ClearWithheld(export.Name);
            }
            catch (Exception e) when (e is not ImageUnservableException) // refused before anything changed
            {
                _logger.LogError(e, "Publishing export {ExportName} failed; restoring its previous state", export.Name);
                Restore(export.Name, previous);
                if (_server is null)
                {
                    // The restart stopped the old listener and the new one died: the watchdog
                    // brings one back on the restored config, or no client could connect again.
                    _status = _status with { State = NbdServerState.Restarting, Pid = null, RunningSince = null, LastError = e.Message };
                }

                throw new NbdServerUnavailableException($"nbd-server could not serve export '{export.Name}': {e.Message}", e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task WithdrawAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _gates.Close(name);
            _desired.Remove(name);
            ClearWithheld(name);
            WriteDesired();
            if (_server is not null && (await _probe.NegotiateAsync(name, CancellationToken.None)).Outcome == ProbeOutcome.Served)
            {
                throw new NbdServerUnavailableException($"nbd-server still serves '{name}' after it was withdrawn.");
            }

            _logger.LogInformation("Export {ExportName} withdrawn from nbd-server", name);
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WatchInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                _reaper.CollectOrphans(Connections);
                if (_fileAudit.IsDue)
                {
                    await WithholdChangedFilesAsync(stoppingToken);
                }

                if (await HasDiedAsync(stoppingToken))
                {
                    await _restartPolicy.ExecuteAsync(RestartAfterDeathAsync, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A served export whose path no longer names the registered file is refused to new clients
    /// (and shown withheld, with why); connected clients keep the file they opened.
    /// </summary>
    private async Task WithholdChangedFilesAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var changed = _fileAudit.FindChanged(_desired.Values);
            foreach (var (name, reason) in changed)
            {
                _logger.LogWarning("Export {ExportName} is no longer served to new clients: {Reason}", name, reason);
                _gates.Close(name);
                _desired.Remove(name);
                _withheld[name] = reason;
            }

            if (changed.Count > 0)
            {
                _status = _status with { Withheld = _withheld.AsReadOnly() };
                WriteDesired();
            }
        }
        catch (IOException e)
        {
            _logger.LogError("Withholding a changed export failed: {Reason}", e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyAsync(ServedExport export, CancellationToken cancellationToken)
    {
        _gates.Open(export);
        _desired[export.Name] = export;

        if (_loaded.TryGetValue(export.Name, out var loaded) && loaded == SectionMode.Of(export))
        {
            WriteDesired(); // a restart writes it itself
            await WaitUntilServedAsync(export, cancellationToken);
            _logger.LogInformation("Export {ExportName} now serves {FilePath} to new clients, without a restart", export.Name, export.FilePath);
            return;
        }

        _logger.LogInformation(
            "Export {ExportName} is new to nbd-server or changes mode; restarting its listener (connected clients stay)",
            export.Name);
        await StartServerAsync(cancellationToken);
        await WaitUntilServedAsync(export, cancellationToken);
    }

    private void Restore(string name, ServedExport? previous)
    {
        if (previous is null)
        {
            _gates.Close(name);
            _desired.Remove(name);
        }
        else
        {
            _gates.Open(previous);
            _desired[name] = previous;
        }

        WriteDesired();
    }

    /// <summary>
    /// Negotiates the export as a new client would, until the running server serves it (or,
    /// when its allow list leaves out this host, refuses it by policy: it knows the export).
    /// </summary>
    private async Task WaitUntilServedAsync(ServedExport export, CancellationToken cancellationToken)
    {
        var name = export.Name;
        var expected = export.Access.Allow is null ? ProbeOutcome.Served : ProbeOutcome.Refused;
        var elapsed = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var (outcome, session) = await _probe.NegotiateAsync(name, cancellationToken);
            if (outcome == ProbeOutcome.Served)
            {
                await WaitUntilSessionEndsAsync(session!, cancellationToken);
                return;
            }

            if (outcome == expected)
            {
                return;
            }

            if (elapsed.Elapsed > ReadyTimeout || outcome is ProbeOutcome.Unreachable)
            {
                throw new NbdServerStartException($"a new client asking for '{name}' got '{outcome}' after {elapsed.ElapsedMilliseconds} ms");
            }

            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(20).Ticks));
        }
    }

    /// <summary>
    /// The probe's nbd-server child outlives the probe by a moment; until it is gone it holds
    /// the image and counts as a client, so a removal right after this change would be refused
    /// as "in use" by nbdmux's own proof.
    /// </summary>
    private async Task WaitUntilSessionEndsAsync(string session, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        while (Connections().Any(connection => connection.Peer == session) && elapsed.Elapsed < ReadyTimeout)
        {
            await Task.Delay(1, cancellationToken);
        }
    }

    /// <summary>(Re)starts the listening process on the desired config. Called with the gate held.</summary>
    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        if (_server is { } old)
        {
            await StopListenerAsync(old, "restarts it");
        }

        _server = null;
        WriteDesired();
        var server = await LaunchUntilAnsweringAsync(cancellationToken);
        var restarts = _status.State == NbdServerState.Starting ? 0 : ++_restarts;
        _server = server;
        _loaded = _desired.Values.ToDictionary(e => e.Name, SectionMode.Of, StringComparer.Ordinal);
        _status = new NbdServerStatus(NbdServerState.Running, server.Pid, server.Since, restarts, _status.LastError, _withheld.AsReadOnly());
        _logger.LogInformation("nbd-server {Pid} listening with {ExportCount} exports", server.Pid, _desired.Count);
    }

    /// <summary>
    /// A child of the old listener that is still negotiating, or was just refused, holds the
    /// listening socket for a moment after the listener dies, and the new listener's bind then
    /// fails: such a launch is retried until the socket is released, within a second. A child
    /// still negotiating after <see cref="HandshakeGrace"/> is a stalled or hostile peer that
    /// would otherwise block every new export name: it is ended.
    /// </summary>
    private async Task<RunningNbdServer> LaunchUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var stalledHandshakesEnded = false;
        while (true)
        {
            if (!stalledHandshakesEnded && elapsed.Elapsed >= HandshakeGrace)
            {
                EndStalledHandshakes();
                stalledHandshakesEnded = true;
            }

            RunningNbdServer server;
            try
            {
                server = await _launcher.LaunchAsync(cancellationToken);
            }
            catch (NbdServerStartException e) when (elapsed.Elapsed < PortReleaseWait)
            {
                _logger.LogInformation("nbd-server exited right after launch ({Reason}); launching again", e.Message);
                await Task.Delay(10, cancellationToken);
                continue;
            }

            try
            {
                if (await AnswersOnceStartedAsync(server, cancellationToken))
                {
                    return server;
                }
            }
            catch
            {
                await StopListenerAsync(server, "gives up on it");
                throw;
            }

            var exit = _reaper.Collect(server);
            if (elapsed.Elapsed >= PortReleaseWait)
            {
                throw new NbdServerStartException(
                    $"nbd-server {server.Pid} {exit} right after starting (is port {_probe.Endpoint.Port} in use? its reason is in syslog)");
            }

            _logger.LogInformation("nbd-server {Pid} {ExitStatus} right after launch; launching again", server.Pid, exit);
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// Ends the client processes of earlier listeners that serve no export: with the listener
    /// gone, those are still negotiating (nbd-server opens the image only after the handshake), and
    /// they keep the listening socket open until they finish. Clients that are served are never
    /// touched.
    /// </summary>
    private void EndStalledHandshakes()
    {
        var serving = Connections().Select(connection => connection.Id).ToHashSet();
        foreach (var pid in UnixProcesses.OrphansOfDaemons("nbd-server").Where(pid => !serving.Contains($"{pid}")))
        {
            _logger.LogWarning(
                "Ending nbd-server client process {Pid}: its client has been negotiating for over {GraceMs} ms and it holds the NBD port, so no new listener can bind",
                pid, HandshakeGrace.TotalMilliseconds);
            UnixProcesses.Signal(pid, UnixProcesses.SigKill);
        }
    }

    /// <summary>Waits until a new listener negotiates: true once it does, false if it ended first.</summary>
    private async Task<bool> AnswersOnceStartedAsync(RunningNbdServer server, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (!UnixProcesses.IsAlive(server))
            {
                return false;
            }

            if (await AnswersAsync(cancellationToken, StartupProbeTimeout) && UnixProcesses.IsAlive(server))
            {
                return true;
            }

            if (elapsed.Elapsed > ReadyTimeout)
            {
                throw new NbdServerStartException($"nbd-server {server.Pid} did not answer on {_probe.Endpoint} within {ReadyTimeout.TotalSeconds} s");
            }

            await Task.Delay(2, cancellationToken);
        }
    }

    private async Task<bool> HasDiedAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_server is not { } server)
            {
                return _status.State == NbdServerState.Restarting;
            }

            if (UnixProcesses.IsAlive(server))
            {
                return false;
            }

            var exit = ReportDeath(server);
            _status = _status with { State = NbdServerState.Restarting, Pid = null, RunningSince = null, LastError = $"nbd-server {server.Pid} {exit}" };
            _server = null;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// SIGKILLs a listener nbdmux no longer wants and collects it; one that has already ended
    /// on its own is reported as a death.
    /// </summary>
    private async Task StopListenerAsync(RunningNbdServer server, string occasion)
    {
        if (!UnixProcesses.IsAlive(server))
        {
            ReportDeath(server);
            return;
        }

        await _launcher.StopListeningAsync(server);
        _logger.LogInformation(
            "nbd-server {Pid} stopped listening, {ExitStatus} as nbdmux {Occasion}; connected clients stay with their own processes",
            server.Pid, _reaper.Collect(server), occasion);
    }

    private ExitStatus ReportDeath(RunningNbdServer server)
    {
        var exit = _reaper.Collect(server);
        _logger.LogError("nbd-server {Pid} died, {ExitStatus}; connected clients keep their own processes", server.Pid, exit);
        return exit;
    }

    private async ValueTask RestartAfterDeathAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StartServerAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ValueTask OnRestartFailedAsync(Exception error, int attempt)
    {
        _logger.LogError("Restarting nbd-server failed (attempt {Attempt}): {Reason}", attempt + 1, error.Message);
        _status = _status with { State = NbdServerState.Down, LastError = error.Message };
        return ValueTask.CompletedTask;
    }

    private void EnsureRunning()
    {
        if (_server is null || !UnixProcesses.IsAlive(_server))
        {
            throw new NbdServerUnavailableException(
                $"nbd-server is {_status.State.ToString().ToLowerInvariant()}{(_status.LastError is { } reason ? $" ({reason})" : "")}; try again shortly.");
        }
    }

    /// <summary>Puts the desired exports in nbd-server's config and in the snapshot that connection look-ups read.</summary>
    private void WriteDesired()
    {
        _config.Write(_desired.Values);
        _servedFiles = _desired.Values.ToDictionary(e => e.Name, e => e.FilePath, StringComparer.Ordinal);
    }

    private void ClearWithheld(string name)
    {
        if (_withheld.Remove(name))
        {
            _status = _status with { Withheld = _withheld.AsReadOnly() };
        }
    }

    /// <summary>
    /// nbd-server names each overlay IMAGE-PEER-PID.diff and deletes it when its client leaves;
    /// one whose process is gone was left by a crash.
    /// </summary>
    private void DeleteAbandonedOverlays()
    {
        foreach (var overlay in Directory.EnumerateFiles(_layout.CowDirectory, "*.diff"))
        {
            var name = Path.GetFileNameWithoutExtension(overlay);
            if (!int.TryParse(name[(name.LastIndexOf('-') + 1)..], out var pid) || UnixProcesses.StartTicksOfLiving(pid) is null)
            {
                _logger.LogInformation("Deleting copy-on-write overlay {Overlay} left by a client that is gone", overlay);
                File.Delete(overlay);
            }
        }
    }

    private async Task<IReadOnlyList<ServedExport>> LoadRegisteredAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var exports = await scope.ServiceProvider.GetRequiredService<IExportStore>().ListAsync(cancellationToken);
        return exports.Select(ServedExport.From).ToList();
    }
}
