using MediatR;

namespace Nbdmux.Application.Exports.GetExport;

public sealed record GetExportQuery(string Name) : IRequest<ExportDto>;
