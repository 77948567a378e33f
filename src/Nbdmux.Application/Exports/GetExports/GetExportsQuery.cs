using MediatR;

namespace Nbdmux.Application.Exports.GetExports;

/// <summary>Every export, sorted by name; <paramref name="Target"/> is where targets reach the NBD port.</summary>
public sealed record GetExportsQuery(TargetAddress Target) : IRequest<ExportList>;
