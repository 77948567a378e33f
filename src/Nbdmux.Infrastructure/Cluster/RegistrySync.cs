using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Persistence;
using Npgsql;

namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// On a shared registry, keeps this node's NBD server serving what the registry holds, whichever
/// node changed it: woken at once by the notification every change sends as it commits (LISTEN),
/// and every <see cref="Poll"/> anyway, so a missed notification costs at most that. Each pass
/// reads the registry's revision, then its exports (as new as that revision, or newer), publishes
/// and withdraws what differs, and records the revision as this node's (the confirmation the
/// changing node waits for). Passes take no lock of the registry, so the nodes' passes run side by
/// side and the next change need not wait for them; a pass keeps apart from this node's own changes
/// (<see cref="ServedRevision"/>), and is skipped when the node's own change was all that changed. The
/// first pass runs before the node starts answering, so a node that comes back has caught up
/// before it reports healthy. While the registry cannot be reached, the NBD server goes on
/// serving what it serves.
/// </summary>
public sealed class RegistrySync(
    NbdmuxOptions options,
    NbdServerSupervisor server,
    LocalNode local,
    CommittedExports committed,
    ServedRevision servedRevision,
    AppliedRevisions applied,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<RegistrySync> logger) : BackgroundService
{
    public const string Channel = "nbdmux_registry";

    /// <summary>Where each node announces that it has written its applied revision.</summary>
    public const string AppliedChannel = "nbdmux_applied";

    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly RegistryDatabase _database = options.RegistryDatabase();

    /// <summary>Exports this node could not serve, as they were then: tried again only once the registry changes them.</summary>
    private readonly Dictionary<string, ServedExport> _unservable = new(StringComparer.Ordinal);

    private bool _failing;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_database.IsShared)
        {
            await ReconcileAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_database.IsShared)
        {
            return;
        }

        NpgsqlConnection? listener = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    listener ??= await ListenAsync(stoppingToken);
                    await ReconcileAsync(stoppingToken);
                    Recovered();
                    // A notification that came during the pass is kept by Npgsql and ends this wait at once.
                    await listener.WaitAsync(Poll, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Failed(e);
                    if (listener is not null)
                    {
                        await listener.DisposeAsync();
                        listener = null;
                    }

                    await Task.Delay(Poll, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync();
            }
        }
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_database.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            connection.Notification += (_, notification) =>
            {
                if (notification.Channel == AppliedChannel)
                {
                    applied.Announce();
                }
            };
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {AppliedChannel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        using var gate = await servedRevision.EnterAsync(cancellationToken);
        var applied = servedRevision.Applied;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        var revision = await db.RevisionAsync(cancellationToken);
        if (revision == applied)
        {
            return;
        }

        var wanted = (await db.Exports.AsNoTracking().Where(e => e.Status == ExportStatus.Ready).ToListAsync(cancellationToken))
            .Select(ServedExport.From).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var cuts = await db.ClientCuts.AsNoTracking()
            .Where(c => c.Revision > applied && c.Revision <= revision && c.OrderedBy != local.Name)
            .ToListAsync(cancellationToken);
        // nbd-server lists a client under an export only while it serves that export.
        var connectedBefore = server.Connections();
        var served = server.Served;
        var displaced = wanted.Values.Where(e => served.GetValueOrDefault(e.Name) is { } was && was.FilePath != e.FilePath).Select(e => e.Name)
            .Concat(served.Keys.Where(name => !wanted.ContainsKey(name))).ToHashSet(StringComparer.Ordinal);
        foreach (var export in wanted.Values.Where(e => !Equals(served.GetValueOrDefault(e.Name), e) && !Equals(_unservable.GetValueOrDefault(e.Name), e)))
        {
            try
            {
                await server.PublishAsync(export, cancellationToken);
                _unservable.Remove(export.Name);
            }
            catch (Exception e) when (e is ImageUnservableException or NbdServerUnavailableException)
            {
                _unservable[export.Name] = export;
                logger.LogWarning("Node {NodeName} does not serve export {ExportName} that the registry holds: {Reason}", local.Name, export.Name, e.Message);
            }
        }

        foreach (var name in served.Keys.Where(name => !wanted.ContainsKey(name)))
        {
            await server.WithdrawAsync(name, cancellationToken);
        }

        foreach (var name in _unservable.Keys.Where(name => !wanted.ContainsKey(name)).ToList())
        {
            _unservable.Remove(name);
        }

        await CutClientsAsync(cuts, connectedBefore, firstPass: applied < 0, cancellationToken);
        WarnOfClientsLeftBehind(displaced, cuts, connectedBefore);

        committed.Invalidate();
        await db.Database.ExecuteSqlAsync($"UPDATE nodes SET applied_revision = {revision} WHERE name = {local.Name} AND applied_revision < {revision}", cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({AppliedChannel}, {local.Name})", cancellationToken);
        servedRevision.Served(revision);
    }

    /// <summary>
    /// Carries out the forced changes among those this pass applied: the clients of their exports
    /// that connected before the change was live here (to the file it removed or replaced) are
    /// cut, before the pass confirms. A client that connects meanwhile may be cut too; one left on
    /// the old file would not be what the force promised. The first pass knows no revision it
    /// applied before: it cuts the clients that were connected when a change was forced, which an
    /// NBD server left running by the earlier nbdmux may still hold.
    /// </summary>
    private async Task CutClientsAsync(List<ClientCut> cuts, IReadOnlyList<ClientConnection> connectedBefore, bool firstPass, CancellationToken cancellationToken)
    {
        if (cuts.Count == 0)
        {
            return;
        }

        var live = time.GetUtcNow();
        var clients = connectedBefore.Concat(server.Connections()).Distinct()
            .Where(client => cuts.Any(cut => cut.Export == client.Export && client.Since <= (firstPass ? cut.At : live)))
            .ToList();
        if (clients.Count == 0)
        {
            return;
        }

        logger.LogWarning("Node {NodeName} disconnects {Peers}: their exports were changed by force through {Nodes}",
            local.Name, clients.Select(c => $"{c.Peer} ({c.Export})"), cuts.Select(c => c.OrderedBy).Distinct());
        await server.DisconnectAsync(clients, cancellationToken);
    }

    /// <summary>
    /// Clients that connected here after this node last recorded its clients, and before a change
    /// (not forced) that removed or replaced their export was checked on another node: nothing
    /// refused it. They keep the file they opened until they disconnect; new clients get the change.
    /// </summary>
    private void WarnOfClientsLeftBehind(HashSet<string> displaced, List<ClientCut> cuts, IReadOnlyList<ClientConnection> connectedBefore)
    {
        var left = connectedBefore.Where(c => displaced.Contains(c.Export) && !cuts.Any(cut => cut.Export == c.Export)).ToList();
        if (left.Count > 0)
        {
            logger.LogWarning("Node {NodeName} applied changes to exports its clients {Peers} use; they keep the file they opened until they disconnect",
                local.Name, left.Select(c => $"{c.Peer} ({c.Export})"));
        }
    }

    private void Failed(Exception e)
    {
        if (!_failing)
        {
            logger.LogWarning("Node {NodeName} cannot follow the registry, and goes on serving what it serves: {Reason}", local.Name, e.Message);
            _failing = true;
        }
    }

    private void Recovered()
    {
        if (_failing)
        {
            logger.LogInformation("Node {NodeName} follows the registry again", local.Name);
            _failing = false;
        }
    }
}
