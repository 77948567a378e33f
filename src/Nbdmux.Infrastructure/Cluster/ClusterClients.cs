using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Nodes;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// The other nodes' clients as <see cref="ClientRecorder"/> left them in the registry. Read with
/// a scope (and connection) of its own: a change that holds the registry's lock asks it too.
/// </summary>
public sealed class ClusterClients(NbdmuxOptions options, LocalNode local, IServiceScopeFactory scopes, TimeProvider time) : IClusterClients
{
    private readonly bool _shared = options.RegistryDatabase().IsShared;
    private volatile IReadOnlyList<NodeClient> _lastListed = [];

    public string? LocalNode => _shared ? local.Name : null;

    public async Task<IReadOnlyList<NodeClient>> ElsewhereAsync(string? export, CancellationToken cancellationToken)
    {
        if (!_shared)
        {
            return [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        var heardSince = time.GetUtcNow() - Node.DownAfter;
        var clients = db.NodeClients.AsNoTracking()
            .Where(c => c.Node != local.Name && db.Nodes.Any(n => n.Name == c.Node && n.LastHeartbeat > heardSince));
        if (export is not null)
        {
            clients = clients.Where(c => c.Export == export);
        }

        var read = await clients.OrderBy(c => c.Node).ThenBy(c => c.Since).ThenBy(c => c.ConnectionId).ToListAsync(cancellationToken);
        if (export is not null)
        {
            return read;
        }

        // The same instance while nothing changed, so the export list built from it is kept (LatestExportList).
        var last = _lastListed;
        if (last.SequenceEqual(read))
        {
            return last;
        }

        _lastListed = read;
        return read;
    }
}
