using MediatR;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports.GetExports;

public sealed class GetExportsQueryHandler(IExportStore store, INbdServer nbdServer)
    : IRequestHandler<GetExportsQuery, IReadOnlyList<ExportDto>>
{
    public async Task<IReadOnlyList<ExportDto>> Handle(GetExportsQuery query, CancellationToken cancellationToken)
    {
        var status = nbdServer.Status;
        var connections = nbdServer.Connections();
        var exports = await store.ListAsync(cancellationToken);
        return exports.Select(export => ExportDto.From(export, status, connections)).ToList();
    }
}
