using FluentValidation;
using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.RegisterExport;

public sealed class RegisterExportCommandHandler(
    IExportStore store,
    INbdServer nbdServer,
    IImageFiles imageFiles,
    TimeProvider clock,
    ILogger<RegisterExportCommandHandler> logger) : IRequestHandler<RegisterExportCommand, RegisterExportResult>
{
    public async Task<RegisterExportResult> Handle(RegisterExportCommand command, CancellationToken cancellationToken)
    {
        var name = command.Name!;
        var readOnly = command.Readonly ?? true;
        var image = InspectAgain(command.File!);

        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await store.FindAsync(name, cancellationToken);
        var created = export is null;
        if (export is null)
        {
            export = Export.Register(name, image, readOnly, clock.GetUtcNow());
            store.Add(export);
        }
        else if (!export.IsServedAs(image, readOnly))
        {
            export.Replace(image, readOnly, clock.GetUtcNow());
        }

        // Published even when unchanged: a repeated POST is also a request to make sure it is live.
        await change.CommitAsync(() => nbdServer.PublishAsync(ServedExport.From(export), cancellationToken), cancellationToken);

        logger.LogInformation(
            "Export {ExportName} {Outcome}: {ImagePath} ({SizeBytes} bytes, {Mode})",
            name, created ? "registered" : "replaced", image.Path, image.SizeBytes, readOnly ? "read-only" : "read-write");
        return new RegisterExportResult(ExportDto.From(export, serverRunning: true), created);
    }

    /// <summary>The file may have changed since validation; the size recorded must be the one served.</summary>
    private ImageFile InspectAgain(string path)
    {
        var inspection = imageFiles.Inspect(path);
        return inspection.Image ?? throw new ValidationException(
            [new FluentValidation.Results.ValidationFailure(nameof(RegisterExportCommand.File), inspection.Problem)]);
    }
}
