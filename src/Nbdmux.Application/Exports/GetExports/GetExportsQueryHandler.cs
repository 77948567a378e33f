using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports.GetExports;

public sealed class GetExportsQueryHandler(IExportStore store, INbdServer nbdServer, IClusterClients cluster, LatestExportList latest)
    : IRequestHandler<GetExportsQuery, ExportList>
{
    public async Task<ExportList> Handle(GetExportsQuery query, CancellationToken cancellationToken)
    {
        var status = nbdServer.Status;
        var connections = nbdServer.Connections();
        var elsewhere = await ClusterConnections.ReadAsync(cluster, export: null, cancellationToken);
        var exports = await store.ListAsync(cancellationToken);
        return latest.For(exports, status, connections, query.Target, elsewhere);
    }
}
