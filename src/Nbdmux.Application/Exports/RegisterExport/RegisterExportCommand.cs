using MediatR;

namespace Nbdmux.Application.Exports.RegisterExport;

/// <summary>Serves <paramref name="File"/> under <paramref name="Name"/>; re-registering a name replaces its file and mode.</summary>
public sealed record RegisterExportCommand(string? Name, string? File, bool? Readonly) : IRequest<RegisterExportResult>;

public sealed record RegisterExportResult(ExportDto Export, bool Created);
