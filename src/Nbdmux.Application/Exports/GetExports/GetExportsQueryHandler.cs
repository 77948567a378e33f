using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports.GetExports;

public sealed class GetExportsQueryHandler(IExportStore store, INbdServer nbdServer, LatestExportList latest)
    : IRequestHandler<GetExportsQuery, ExportList>
{
    public async Task<ExportList> Handle(GetExportsQuery query, CancellationToken cancellationToken)
    {
        var status = nbdServer.Status;
        var connections = nbdServer.Connections();
        var exports = await store.ListAsync(cancellationToken);
        return latest.For(exports, status, connections, query.Target);
    }
}
