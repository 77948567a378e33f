using MediatR;

namespace Nbdmux.Application.Exports.GetExports;

/// <summary>Every export, sorted by name.</summary>
public sealed record GetExportsQuery : IRequest<ExportList>;
