using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Application.Exports.RemoveExport;

public sealed class RemoveExportCommandHandler(
    IExportStore store,
    INbdServer nbdServer,
    ILogger<RemoveExportCommandHandler> logger) : IRequestHandler<RemoveExportCommand, Unit>
{
    public async Task<Unit> Handle(RemoveExportCommand command, CancellationToken cancellationToken)
    {
        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await store.FindAsync(command.Name, cancellationToken)
            ?? throw NotFoundException.Export(command.Name);

        store.Remove(export);
        await change.CommitAsync(() => nbdServer.WithdrawAsync(export.Name, cancellationToken), cancellationToken);

        logger.LogInformation("Export {ExportName} removed ({ImagePath})", export.Name, export.FilePath);
        return Unit.Value;
    }
}
