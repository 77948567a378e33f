using MediatR;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports.GetExport;

public sealed class GetExportQueryHandler(IExportStore store, INbdServer nbdServer, IClusterClients cluster)
    : IRequestHandler<GetExportQuery, ExportDto>
{
    public async Task<ExportDto> Handle(GetExportQuery query, CancellationToken cancellationToken)
    {
        var export = await store.FindAsync(query.Name, cancellationToken)
            ?? throw NotFoundException.Export(query.Name);
        var elsewhere = await ClusterConnections.ReadAsync(cluster, export.Name, cancellationToken);
        return ExportDto.From(export, nbdServer.Status, nbdServer.Connections(), query.Target, elsewhere);
    }
}
