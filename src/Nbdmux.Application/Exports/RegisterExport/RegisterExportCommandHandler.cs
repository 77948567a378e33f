using FluentValidation;
using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.RegisterExport;

public sealed class RegisterExportCommandHandler(
    IExportStore store,
    INbdServer nbdServer,
    IImageFiles imageFiles,
    TimeProvider clock,
    AuditedChange audit,
    ILogger<RegisterExportCommandHandler> logger) : IRequestHandler<RegisterExportCommand, RegisterExportResult>
{
    public async Task<RegisterExportResult> Handle(RegisterExportCommand command, CancellationToken cancellationToken)
    {
        var name = command.Name!;
        var copyOnWrite = command.CopyOnWrite ?? false;
        var access = new ExportAccess(command.Readonly ?? !copyOnWrite, copyOnWrite, command.Allow);
        var image = InspectAgain(command.File!);

        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await store.FindAsync(name, cancellationToken);
        var created = export is null;
        var previous = export is null ? null : ServedExport.From(export);
        audit.Found(created ? AuditActions.Register : AuditActions.Replace, export);
        IReadOnlyList<ClientConnection> displaced = [];
        if (export is null)
        {
            export = Export.Register(name, image, access, clock.GetUtcNow());
            store.Add(export);
        }
        else if (!export.IsServedAs(image, access))
        {
            if (export.FilePath != image.Path)
            {
                displaced = await ClientsToDisplaceAsync(name, command.Force, cancellationToken);
            }

            export.Replace(image, access, clock.GetUtcNow());
        }

        audit.Became(export);

        // Published even when unchanged: a repeated POST is also a request to make sure it is live.
        await change.CommitAsync(async () =>
        {
            await nbdServer.PublishAsync(ServedExport.From(export), cancellationToken);
            if (displaced.Count > 0)
            {
                audit.Disconnecting(displaced);
                logger.LogWarning("Export {ExportName} changed file by force: disconnecting {Peers}", name, displaced.Select(c => c.Peer));
                await nbdServer.DisconnectAsync(displaced, cancellationToken);
            }
        }, undo: () => previous is null
            ? nbdServer.WithdrawAsync(name, CancellationToken.None)
            : nbdServer.PublishAsync(previous, CancellationToken.None), cancellationToken);

        logger.LogInformation(
            "Export {ExportName} {Outcome}: {ImagePath} ({SizeBytes} bytes, {Mode}, allow {Allow})",
            name, created ? "registered" : "replaced", image.Path, image.SizeBytes,
            access.CopyOnWrite ? "copy-on-write" : access.ReadOnly ? "read-only" : "read-write",
            access.Allow is { } allow ? string.Join(", ", allow) : "everyone");
        return new RegisterExportResult(ExportDto.From(export, nbdServer.Status, nbdServer.Connections(), command.Target), created);
    }

    /// <summary>Swapping the file under a booted machine crashes it: only on request, and then cleanly.</summary>
    private async Task<IReadOnlyList<ClientConnection>> ClientsToDisplaceAsync(string name, bool force, CancellationToken cancellationToken)
    {
        var connected = await ExportClients.ConnectedToAsync(nbdServer, name, waitOutDisconnects: !force, clock, cancellationToken);
        return connected.Count == 0 || force ? connected : throw new ExportInUseException(name, connected);
    }

    /// <summary>The file may have changed since validation; the size recorded must be the one served.</summary>
    private ImageFile InspectAgain(string path)
    {
        var inspection = imageFiles.Inspect(path);
        return inspection.Image ?? throw new ValidationException(
            [new FluentValidation.Results.ValidationFailure(nameof(RegisterExportCommand.File), inspection.Problem)]);
    }
}
