using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Nodes;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// On a shared registry, keeps this node's clients in the registry (`node_clients`) for the other
/// nodes to check before a change that would cut them off: rewritten whole within
/// <see cref="Watch"/> of the NBD server listing a new set, and every heartbeat anyway. The
/// server's list is the same instance while nothing about it changes, so watching it costs a
/// reference comparison. A registry that cannot be reached costs a warning, once per outage.
/// </summary>
public sealed class ClientRecorder(
    LocalNode local, INbdServer server, NbdmuxOptions options, IServiceScopeFactory scopes, TimeProvider time, ILogger<ClientRecorder> logger)
    : BackgroundService
{
    /// <summary>Short next to a person's DELETE after a machine connects, cheap for the NBD server's listing.</summary>
    public static readonly TimeSpan Watch = TimeSpan.FromMilliseconds(50);

    private readonly bool _shared = options.RegistryDatabase().IsShared;
    private IReadOnlyList<ClientConnection>? _recorded;
    private DateTimeOffset _recordedAt;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_shared)
        {
            return;
        }

        using var timer = new PeriodicTimer(Watch, time);
        do
        {
            var connections = server.Connections();
            if (ReferenceEquals(connections, _recorded) && time.GetUtcNow() - _recordedAt < Node.HeartbeatInterval)
            {
                continue;
            }

            try
            {
                await RecordAsync(connections, stoppingToken);
                _recorded = connections;
                _recordedAt = time.GetUtcNow();
                if (_failing)
                {
                    logger.LogInformation("Node {NodeName} records its clients in the registry again", local.Name);
                    _failing = false;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!_failing)
                {
                    logger.LogWarning("Node {NodeName} cannot record its clients in the registry, and goes on serving them: {Reason}", local.Name, e.Message);
                    _failing = true;
                }

                // Tried again at the next heartbeat, not at every watch, while the registry is away.
                _recorded = connections;
                _recordedAt = time.GetUtcNow();
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RecordAsync(IReadOnlyList<ClientConnection> connections, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.NodeClients.Where(c => c.Node == local.Name).ExecuteDeleteAsync(cancellationToken);
        db.NodeClients.AddRange(connections
            .DistinctBy(c => (c.Id, c.Export))
            .Select(c => new NodeClient(local.Name, c.Id, c.Export, c.Peer, c.Since.ToUniversalTime())));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
