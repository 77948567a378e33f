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
/// Keeps this node's row in the registry: written when the node starts (after its NBD server
/// serves the registry), then every <see cref="Node.HeartbeatInterval"/> with what it serves and
/// who is connected. A registry that cannot be reached costs a warning, once per outage; the
/// NBD server goes on serving meanwhile.
/// </summary>
public sealed class NodeHeartbeat(
    LocalNode local, INbdServer server, NbdmuxOptions options, IServiceScopeFactory scopes, TimeProvider time, ILogger<NodeHeartbeat> logger)
    : BackgroundService
{
    private readonly bool _shared = options.RegistryDatabase().IsShared;
    private bool _failing;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeatAsync(starting: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Node.HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await BeatAsync(starting: false, stoppingToken);
                if (_failing)
                {
                    logger.LogInformation("Node {NodeName} reaches the registry again", local.Name);
                    _failing = false;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!_failing)
                {
                    logger.LogWarning("Node {NodeName} cannot write its heartbeat to the registry, and goes on serving what it serves: {Reason}", local.Name, e.Message);
                    _failing = true;
                }
            }
        }
    }

    private async Task BeatAsync(bool starting, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        var now = time.GetUtcNow();
        var status = server.Status;
        var backend = status.Backend ?? "unknown";
        var node = await db.Nodes.SingleOrDefaultAsync(n => n.Name == local.Name, cancellationToken);
        if (node is null)
        {
            node = Node.Start(local.Name, local.Address, local.HttpPort, local.NbdPort, backend, now);
            db.Nodes.Add(node);
        }
        else if (starting)
        {
            node.Restart(local.Address, local.HttpPort, local.NbdPort, backend, now);
        }

        if (starting && !_shared)
        {
            // The NBD server has just read the whole registry, which no other node changes; on a
            // shared one, RegistrySync says what the node serves.
            node.Apply(await db.RevisionAsync(cancellationToken));
        }

        node.Beat(now, status.Served, server.Connections().Count);
        await db.SaveChangesAsync(cancellationToken);
    }
}
