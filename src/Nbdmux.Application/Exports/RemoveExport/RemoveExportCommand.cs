using MediatR;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Exports.RemoveExport;

/// <summary>Stops serving the export to new clients and forgets it; with <paramref name="Force"/> even while clients are connected.</summary>
public sealed record RemoveExportCommand(string Name, bool Force = false) : IRequest<Unit>, IAuditedCommand
{
    AuditAction IAuditedCommand.AuditAction => AuditAction.Remove;

    string? IAuditedCommand.AuditExportName => Name;
}
