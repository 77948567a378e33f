using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.RemoveExport;

public sealed class RemoveExportCommandHandler(
    IExportStore store,
    INbdServer nbdServer,
    IClusterClients cluster,
    TimeProvider clock,
    IWarmer warmer,
    AuditedChange audit,
    ILogger<RemoveExportCommandHandler> logger) : IRequestHandler<RemoveExportCommand, Unit>
{
    public async Task<Unit> Handle(RemoveExportCommand command, CancellationToken cancellationToken)
    {
        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await store.FindAsync(command.Name, cancellationToken)
            ?? throw NotFoundException.Export(command.Name);
        audit.Found(AuditAction.Remove, export);
        if (export.Status != ExportStatus.Ready)
        {
            // Never published: nothing on the wire to withdraw, nobody connected to it.
            store.Remove(export);
            await change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, cancellationToken);
            warmer.Cancel(export.Name);
            logger.LogInformation("Export {ExportName} removed while {Status}", export.Name, EnumWords.Of(export.Status));
            return Unit.Value;
        }

        var connected = await ExportClients.ToDisconnectAsync(nbdServer, cluster, change, export.Name, command.Force, clock, cancellationToken);

        store.Remove(export);
        await change.CommitAsync(async () =>
        {
            await nbdServer.WithdrawAsync(export.Name, cancellationToken);
            await ExportClients.DisconnectAsync(nbdServer, audit, logger, export.Name, "removed", connected, cancellationToken);
        }, undo: () => nbdServer.PublishAsync(ServedExport.From(export), CancellationToken.None), cancellationToken);

        logger.LogInformation("Export {ExportName} removed ({ImagePath})", export.Name, export.FilePath);
        return Unit.Value;
    }
}
