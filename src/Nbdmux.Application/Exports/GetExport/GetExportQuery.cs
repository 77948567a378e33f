using MediatR;

namespace Nbdmux.Application.Exports.GetExport;

/// <summary>One export; <paramref name="Target"/> is where targets reach the NBD port.</summary>
public sealed record GetExportQuery(string Name, TargetAddress Target) : IRequest<ExportDto>;
