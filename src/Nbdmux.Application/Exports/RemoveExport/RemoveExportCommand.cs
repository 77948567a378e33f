using MediatR;

namespace Nbdmux.Application.Exports.RemoveExport;

/// <summary>Stops serving the export to new clients and forgets it.</summary>
public sealed record RemoveExportCommand(string Name) : IRequest<Unit>;
