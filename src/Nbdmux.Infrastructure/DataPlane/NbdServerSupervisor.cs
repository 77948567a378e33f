using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain;
using Nbdmux.Domain.Audit;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Infrastructure.Persistence;
using Polly;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>
/// Keeps one NBD server serving exactly the registered exports, whichever program it is
/// (<see cref="INbdBackend"/>), without ever dropping a connected client on purpose.
/// <list type="bullet">
/// <item>Every change is published through the backend and proven with a real NBD negotiation
/// on the live port before it returns: what the API acknowledges is true on the wire.</item>
/// <item>A change that fails restores the export's previous state.</item>
/// <item>A watchdog notices a server that died or stopped answering handshakes and restarts it
/// through a Polly pipeline.</item>
/// </list>
/// Its state (<see cref="NbdServerState"/>) changes in one place, <see cref="Enter"/>; every
/// change to the process and the files it reads happens with the gate held.
/// </summary>
public sealed class NbdServerSupervisor : BackgroundService, INbdServer
{
    /// <summary>How often the process's liveness is checked (a pidfd poll) and the backend does its housekeeping.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>How often the watchdog proves the port still negotiates: a stopped or wedged server is alive but serves nobody.</summary>
    private static readonly TimeSpan LivenessInterval = TimeSpan.FromSeconds(1);

    /// <summary>A server that has not answered a handshake in this time is treated as dead.</summary>
    private static readonly TimeSpan LivenessTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ProofTimeout = TimeSpan.FromSeconds(10);

    /// <summary>No export can have this name (it starts with '-'), so asking for it proves negotiation works without serving anything.</summary>
    private const string NoSuchExport = NbdServerConfig.PlaceholderSection;

    private readonly INbdBackend _backend;
    private readonly INbdProbe _probe;
    private readonly StartupRecovery _recovery;
    private readonly IAuditLog _audit;
    private readonly ServedFileAudit _fileAudit;
    private readonly NbdmuxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NbdServerSupervisor> _logger;
    private readonly ResiliencePipeline _restartPolicy;

    /// <summary>Serialises every change to the process and the files it reads.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>What clients must get: the registered exports that are not withheld.</summary>
    /// <summary>Replaced whole on every change (under the gate), so readers outside the gate take a consistent snapshot.</summary>
    private volatile ImmutableSortedDictionary<string, ServedExport> _desired = ImmutableSortedDictionary.Create<string, ServedExport>(StringComparer.Ordinal);

    /// <summary>Registered exports not served, with why.</summary>
    private readonly Dictionary<string, string> _withheld = new(StringComparer.Ordinal);

    private readonly ProofSessions _proofSessions = new();

    private ServerProcess? _server;
    private NbdServerState _state = NbdServerState.Starting;
    private string? _lastError;
    private int _restarts;
    private int _plannedRestarts;
    private long _lastLivenessCheck;
    private volatile NbdServerStatus _status = new(NbdServerState.Starting, null, null, 0, null);

    public NbdServerSupervisor(
        INbdBackend backend,
        INbdProbe probe,
        StartupRecovery recovery,
        IAuditLog audit,
        ServedFileAudit fileAudit,
        NbdmuxOptions options,
        TimeProvider time,
        ILogger<NbdServerSupervisor> logger,
        TimeSpan? maxRestartDelay = null)
    {
        _audit = audit;
        _fileAudit = fileAudit;
        _backend = backend;
        _probe = probe;
        _recovery = recovery;
        _options = options;
        _time = time;
        _logger = logger;
        _restartPolicy = NbdServerRestartPolicy.Create(OnRestartFailedAsync, maxRestartDelay, time);
    }

    public NbdServerStatus Status => _status;

    /// <summary>The exports served, as of the last change: what a node compares with the registry to catch up.</summary>
    public IReadOnlyDictionary<string, ServedExport> Served => _desired;

    public async Task<bool> AnswersAsync(CancellationToken cancellationToken) =>
        (await _probe.NegotiateAsync(NoSuchExport, cancellationToken, LivenessTimeout)).Outcome is ProbeOutcome.Refused or ProbeOutcome.Unknown;

    public IReadOnlyList<ClientConnection> Connections() => _proofSessions.LeaveOut(() => _backend.Connections(_server));

    public async Task DisconnectAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken)
    {
        await _backend.DisconnectAsync(connections, cancellationToken);
        _logger.LogWarning("Disconnected {Peers} on request", connections.Select(c => $"{c.Peer} ({c.Export})"));
    }

    public long OverlayBytes() => _backend.OverlayBytes();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = await _recovery.LoadAsync(cancellationToken);
        foreach (var (name, reason) in recovered.Withheld)
        {
            _withheld[name] = reason;
        }

        var adopted = await _backend.RecoverAsync(cancellationToken);
        var needsRestart = false;
        foreach (var export in recovered.Served)
        {
            try
            {
                needsRestart |= _backend.Publish(export, adopted) == PublishEffect.NeedsRestart;
                _desired = _desired.SetItem(export.Name, export);
            }
            catch (ImageUnservableException e)
            {
                _logger.LogWarning("Export {ExportName} is registered but NOT served: {Reason}", export.Name, e.Message);
                _withheld[export.Name] = e.Message;
            }
        }

        if (adopted is not null && !needsRestart)
        {
            _logger.LogInformation("{Backend} {Pid} left running by an earlier nbdmux goes on serving; its clients stay connected", _backend.Name, adopted.Pid);
            _server = adopted;
        }
        else
        {
            if (adopted is not null)
            {
                await _backend.StopAsync(adopted, StopReason.Restart);
            }

            PortCheck.EnsureFree(new IPEndPoint(_options.BindAddress(), _options.NbdPort), "--nbd-port");
            try
            {
                _server = await LaunchAnsweringAsync(cancellationToken);
            }
            catch (NbdServerStartException e)
            {
                throw new StartupException($"{_backend.Name} did not start: {e.Message}", e);
            }
        }

        Enter(NbdServerState.Running);
        _logger.LogInformation("{Backend} serving {ExportCount} exports on {Endpoint}", _backend.Name, _desired.Count, _probe.Endpoint);
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
                await _backend.StopAsync(server, StopReason.Shutdown);
                server.Dispose();
            }

            _server = null;
            Enter(NbdServerState.Down);
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
                // that hangs up must not leave the server half reconfigured.
                await ApplyAsync(export, CancellationToken.None);
                _withheld.Remove(export.Name);
                Enter(_state);
            }
            catch (ImageUnservableException e)
            {
                _logger.LogWarning("Export {ExportName} not published: {Reason}", export.Name, e.Message);
                Restore(export.Name, previous);
                throw;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Publishing export {ExportName} failed; restoring its previous state", export.Name);
                Restore(export.Name, previous);
                if (_server is null)
                {
                    // The restart stopped the old server and the new one died: the watchdog
                    // brings one back on the restored exports, or no client could connect again.
                    _lastError = e.Message;
                    Enter(NbdServerState.Restarting);
                }

                throw Refusal(e, $"{_backend.Name} could not serve export '{export.Name}': {e.Message}");
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
            try
            {
                _backend.Withdraw(name);
            }
            catch (IOException e)
            {
                if (_desired.GetValueOrDefault(name) is { } current)
                {
                    _backend.Publish(current, _server);
                }

                throw Refusal(e, $"{_backend.Name} could not withdraw export '{name}': {e.Message}");
            }

            _desired = _desired.Remove(name);
            _withheld.Remove(name);
            Enter(_state);

            if (_server is not null && (await _probe.NegotiateAsync(name, CancellationToken.None)).Outcome == ProbeOutcome.Served)
            {
                throw new NbdServerUnavailableException($"{_backend.Name} still serves '{name}' after it was withdrawn.");
            }

            _logger.LogInformation("Export {ExportName} withdrawn from {Backend}", name, _backend.Name);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The watchdog: one tick per <see cref="WatchInterval"/>.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WatchInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await AuditServedFilesAsync(stoppingToken);
                if (await NeedsRestartAsync(stoppingToken))
                {
                    await _restartPolicy.ExecuteAsync(RestartAfterFailureAsync, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ApplyAsync(ServedExport export, CancellationToken cancellationToken)
    {
        var effect = _backend.Publish(export, _server);
        _desired = _desired.SetItem(export.Name, export);
        if (effect == PublishEffect.Live)
        {
            await ProveServedAsync(export, cancellationToken);
            _logger.LogInformation("Export {ExportName} now serves {FilePath} to new clients, without a restart", export.Name, export.FilePath);
            return;
        }

        _logger.LogInformation(
            "Export {ExportName} needs a restart of {Backend} (new to it, or a new mode); restarting it (connected clients stay)",
            export.Name, _backend.Name);
        _plannedRestarts++;
        await RestartAsync(cancellationToken);
        await ProveServedAsync(export, cancellationToken);
    }

    private void Restore(string name, ServedExport? previous)
    {
        try
        {
            RestoreOrWithdraw(name, previous);
        }
        catch (IOException e)
        {
            // What the wire serves for this name now is unknown: the registry is the truth, and
            // the next start-up (or the next change of it) makes the wire match it again.
            _logger.LogError(e, "Could not restore export {ExportName} after a failed change", name);
        }
    }

    private void RestoreOrWithdraw(string name, ServedExport? previous)
    {
        try
        {
            if (previous is not null)
            {
                _backend.Publish(previous, _server);
                _desired = _desired.SetItem(name, previous);
                return;
            }
        }
        catch (ImageUnservableException e)
        {
            // The previous file changed too: serving nothing is the only safe state left.
            _withheld[name] = e.Message;
        }

        _desired = _desired.Remove(name);
        _backend.Withdraw(name);
    }

    /// <summary>
    /// Negotiates the export as a new client would until it is served; when its allow list leaves
    /// out this host, until the server refuses it (it then answers for that name, which is as far
    /// as a client outside the list can see).
    /// </summary>
    private async Task ProveServedAsync(ServedExport export, CancellationToken cancellationToken)
    {
        string? session = null;
        var last = ProbeOutcome.Unreachable;
        var proven = await _time.UntilAsync(async () =>
        {
            (last, session) = await _probe.NegotiateAsync(export.Name, cancellationToken);
            if (last == ProbeOutcome.Served || (export.Access.Allow is not null && last is ProbeOutcome.Refused or ProbeOutcome.Unknown))
            {
                return true;
            }

            // A server that opens the file itself may have refused it (it changed since it was checked).
            foreach (var (name, reason) in _backend.Poll(_server))
            {
                if (name == export.Name)
                {
                    throw new ImageUnservableException(reason);
                }

                Withhold(name, reason);
            }

            return false;
        }, ProofTimeout, cancellationToken);
        if (!proven)
        {
            throw new NbdServerStartException($"a new client asking for '{export.Name}' got '{last}' for {ProofTimeout.TotalSeconds} s");
        }

        if (session is not null)
        {
            _proofSessions.Add(session);
        }
    }

    /// <summary>(Re)starts the server on the desired exports. Called with the gate held.</summary>
    private async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (_server is { } old)
        {
            _server = null;
            await _backend.StopAsync(old, StopReason.Restart);
            old.Dispose();
        }

        _server = await LaunchAnsweringAsync(cancellationToken);
        Enter(NbdServerState.Running);
    }

    private async Task<ServerProcess> LaunchAnsweringAsync(CancellationToken cancellationToken)
    {
        var server = await _backend.LaunchAsync(cancellationToken);
        if (await _time.UntilAsync(() => server.HasExited ? Task.FromResult(true) : AnswersAsync(cancellationToken), ProofTimeout, cancellationToken) &&
            !server.HasExited)
        {
            _logger.LogInformation("{Backend} {Pid} listening with {ExportCount} exports", _backend.Name, server.Pid, _desired.Count);
            return server;
        }

        var exit = server.HasExited ? _backend.DescribeExit(server) : "did not answer";
        if (!server.HasExited)
        {
            await _backend.StopAsync(server, StopReason.Restart);
        }

        server.Dispose();
        throw new NbdServerStartException($"{_backend.Name} {server.Pid} {exit} on {_probe.Endpoint} after starting");
    }

    /// <summary>
    /// Looks at every served file with the gate released, then withholds what changed unless a
    /// change has published that export anew meanwhile (it was checked as it was published).
    /// </summary>
    private async Task AuditServedFilesAsync(CancellationToken cancellationToken)
    {
        if (!_fileAudit.IsDue)
        {
            return;
        }

        var changed = _fileAudit.FindChanged(_desired.Values);
        if (changed.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var (export, reason) in changed.Where(found => Equals(_desired.GetValueOrDefault(found.Export.Name), found.Export)))
            {
                Withhold(export.Name, reason);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One watchdog tick: backend housekeeping, then whether the server died or stopped
    /// answering. Sets the state to <see cref="NbdServerState.Restarting"/> when it needs a restart.
    /// </summary>
    private async Task<bool> NeedsRestartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var (name, reason) in _backend.Poll(_server))
            {
                Withhold(name, reason);
            }

            if (_server is not { } server)
            {
                return _state is NbdServerState.Restarting or NbdServerState.Down;
            }

            if (server.HasExited)
            {
                var exit = _backend.DescribeExit(server);
                _logger.LogError("{Backend} {Pid} died, {ExitStatus}", _backend.Name, server.Pid, exit);
                Fail(server, $"{_backend.Name} {server.Pid} {exit}");
                return true;
            }

            if (_time.GetElapsedTime(_lastLivenessCheck) < LivenessInterval)
            {
                return false;
            }

            _lastLivenessCheck = _time.GetTimestamp();
            if (await AnswersAsync(cancellationToken))
            {
                return false;
            }

            _logger.LogError(
                "{Backend} {Pid} is running but did not answer an NBD handshake within {TimeoutSeconds} s; restarting it",
                _backend.Name, server.Pid, LivenessTimeout.TotalSeconds);
            await _backend.StopAsync(server, StopReason.Restart);
            Fail(server, $"{_backend.Name} {server.Pid} stopped answering NBD handshakes");
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Fail(ServerProcess server, string error)
    {
        server.Dispose();
        _server = null;
        _lastError = error;
        Enter(NbdServerState.Restarting);
    }

    /// <summary>The backend refused a client a registered export (e.g. its file was replaced): it is served to nobody until registered again.</summary>
    private void Withhold(string name, string reason)
    {
        if (_desired.ContainsKey(name))
        {
            _desired = _desired.Remove(name);
            _backend.Withdraw(name);
        }

        _withheld[name] = reason;
        _logger.LogWarning("Export {ExportName} is no longer served to new clients: {Reason}", name, reason);
        Enter(_state);
        // On a thread of its own: SQLite waits synchronously for its write lock, which the change
        // being proven (or waiting for the gate) may hold until this returns.
        _ = Task.Run(() => RecordWithheldAsync(name, reason));
    }

    private async Task RecordWithheldAsync(string name, string reason)
    {
        try
        {
            await _audit.RecordAsync(
                AuditEvent.Record(_time.GetUtcNow(), AuditAction.Withhold, name, AuditEvent.Actor.Nbdmux, AuditEvent.ChangeRecord.None,
                    new AuditEvent.Result(AuditOutcome.Refused, null, reason)),
                CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Could not write the audit record of withholding {ExportName}", name);
        }
    }

    private async ValueTask RestartAfterFailureAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_server is null)
            {
                await RestartAsync(cancellationToken);
                _restarts++;
                Enter(NbdServerState.Running);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private ValueTask OnRestartFailedAsync(Exception error, int attempt)
    {
        _logger.LogError("Restarting {Backend} failed (attempt {Attempt}): {Reason}", _backend.Name, attempt + 1, error.Message);
        _lastError = error.Message;
        Enter(NbdServerState.Down);
        return ValueTask.CompletedTask;
    }

    /// <summary>What the caller is told when a change could not be made and was undone.</summary>
    private static Exception Refusal(Exception error, string message) =>
        StorageFailure.Causes(error).Any(StorageFailure.IsNoSpace)
            ? new ChangeNotSavedException(
                $"{message}. The disk of nbdmux's data dir is full: free space there and try again; nothing was changed.", noSpace: true, error)
            : new NbdServerUnavailableException(message, error);

    private void EnsureRunning()
    {
        if (_server is null || _server.HasExited)
        {
            throw new NbdServerUnavailableException(
                $"{_backend.Name} is {EnumWords.Of(_status.State)}{(_status.LastError is { } reason ? $" ({reason})" : "")}; try again shortly.");
        }
    }

    /// <summary>The one place where the supervisor's state changes; readers get a new snapshot.</summary>
    private void Enter(NbdServerState state)
    {
        _state = state;
        var running = state == NbdServerState.Running ? _server : null;
        _status = new NbdServerStatus(
            state, running?.Pid, running?.Since, _restarts, _lastError, _withheld.ToDictionary(StringComparer.Ordinal).AsReadOnly(), _plannedRestarts,
            _desired.Count, _backend.Name);
    }
}
