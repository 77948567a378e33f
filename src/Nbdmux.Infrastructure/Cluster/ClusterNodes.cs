using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.Cluster;

public sealed class ClusterNodes(IServiceScopeFactory scopes, LocalNode local) : IClusterNodes
{
    public async Task<ClusterView> ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        var revision = await db.RevisionAsync(cancellationToken);
        var nodes = await db.Nodes.AsNoTracking().ToListAsync(cancellationToken);
        return new ClusterView(nodes, revision, local.Name);
    }
}
