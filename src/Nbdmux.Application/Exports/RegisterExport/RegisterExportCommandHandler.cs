using FluentValidation;
using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.RegisterExport;

public sealed class RegisterExportCommandHandler(
    IExportStore store,
    INbdServer nbdServer,
    IClusterClients cluster,
    IImageFiles imageFiles,
    IWarmer warmer,
    TimeProvider clock,
    AuditedChange audit,
    ILogger<RegisterExportCommandHandler> logger) : IRequestHandler<RegisterExportCommand, RegisterExportResult>
{
    public async Task<RegisterExportResult> Handle(RegisterExportCommand command, CancellationToken cancellationToken)
    {
        var name = command.Name!;
        var copyOnWrite = command.CopyOnWrite ?? false;
        var access = new ExportAccess(command.Readonly ?? !copyOnWrite, copyOnWrite, command.Allow);
        if (command.SrcUrl is { } sourceUrl)
        {
            var format = command.Format ?? WarmFormat.FromUrl(new Uri(sourceUrl));
            return await QueueWarmAsync(name, new WarmSource(sourceUrl, format, command.Sha256?.ToLowerInvariant()), access, command.Force, command.Target, cancellationToken);
        }

        var image = InspectAgain(command.File!);

        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await store.FindAsync(name, cancellationToken);
        var created = export is null;
        var previous = export is null ? null : ServedExport.From(export);
        audit.Found(created ? AuditAction.Register : AuditAction.Replace, export);
        var displaced = DisplacedClients.None;
        var changed = export is null || !export.IsServedAs(image, access) || export.Status != ExportStatus.Ready;
        if (changed && !command.Force)
        {
            await RefuseSharingAsync(name, image, access, cancellationToken);
        }

        if (export is null)
        {
            export = Export.Register(name, image, access, clock.GetUtcNow());
            store.Add(export);
        }
        else if (changed)
        {
            if (export.FilePath != image.Path && export.Status == ExportStatus.Ready)
            {
                displaced = await ExportClients.ToDisconnectAsync(nbdServer, cluster, change, name, command.Force, clock, cancellationToken);
            }

            export.Replace(image, access, clock.GetUtcNow());
        }

        audit.Became(export);

        // Published even when unchanged: a repeated POST is also a request to make sure it is live.
        await change.CommitAsync(async () =>
        {
            await nbdServer.PublishAsync(ServedExport.From(export), cancellationToken);
            await ExportClients.DisconnectAsync(nbdServer, audit, logger, name, "changed file", displaced, cancellationToken);
        }, undo: () => previous is null
            ? nbdServer.WithdrawAsync(name, CancellationToken.None)
            : nbdServer.PublishAsync(previous, CancellationToken.None), cancellationToken);
        warmer.Cancel(name);

        logger.LogInformation(
            "Export {ExportName} {Outcome}: {ImagePath} ({SizeBytes} bytes, {Mode}, allow {Allow})",
            name, created ? "registered" : changed ? "replaced" : "unchanged", image.Path, image.SizeBytes,
            access.CopyOnWrite ? "copy-on-write" : access.ReadOnly ? "read-only" : "read-write",
            access.Allow is { } allow ? string.Join(", ", allow) : "everyone");
        return new RegisterExportResult(ExportDto.From(export, nbdServer.Status, nbdServer.Connections(), command.Target), created, changed);
    }

    /// <summary>
    /// Records the warm as queued and hands it to the warmer; the answer comes at once. Asking
    /// again for what is done or under way changes nothing; a failed warm is retried; a served
    /// export warmed from a new source stops being served until that warm is ready.
    /// </summary>
    private async Task<RegisterExportResult> QueueWarmAsync(
        string name, WarmSource source, ExportAccess access, bool force, TargetAddress? reachedAt, CancellationToken cancellationToken)
    {
        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await store.FindAsync(name, cancellationToken);
        audit.Found(AuditAction.Warm, export);
        if (export is not null && export.IsWarmedFrom(source, access))
        {
            audit.Became(export);
            return new RegisterExportResult(ExportDto.From(export, nbdServer.Status, nbdServer.Connections(), reachedAt), Created: false, Changed: false);
        }

        var target = warmer.TargetPath(name);
        if (await store.SharerAsync(target, null, besides: name, onlyWriters: false, cancellationToken) is { } holder)
        {
            throw new ImageUnservableException(
                $"a warm of '{name}' lands its image at '{target}', which export '{holder.Name}' registers; remove '{holder.Name}' or warm under another name.");
        }

        var previous = export is { Status: ExportStatus.Ready } ? ServedExport.From(export) : null;
        var displaced = previous is null ? DisplacedClients.None : await ExportClients.ToDisconnectAsync(nbdServer, cluster, change, name, force, clock, cancellationToken);
        var created = export is null;
        if (export is null)
        {
            export = Export.Warm(name, target, source, access, clock.GetUtcNow());
            store.Add(export);
        }
        else
        {
            export.QueueWarm(target, source, access, clock.GetUtcNow());
        }

        audit.Became(export);
        await change.CommitAsync(async () =>
        {
            if (previous is not null)
            {
                await nbdServer.WithdrawAsync(name, cancellationToken);
            }

            await ExportClients.DisconnectAsync(nbdServer, audit, logger, name, "warmed anew", displaced, cancellationToken);
        }, undo: () => previous is null ? Task.CompletedTask : nbdServer.PublishAsync(previous, CancellationToken.None), cancellationToken);

        warmer.Cancel(name);
        warmer.Enqueue(name);
        logger.LogInformation("Export {ExportName} queued to warm from {SourceUrl} ({Format}) into {ImagePath}",
            name, source.Url, source.Format ?? "format from its first bytes", target);
        return new RegisterExportResult(ExportDto.From(export, nbdServer.Status, nbdServer.Connections(), reachedAt), created, Changed: true);
    }

    /// <summary>One file may be read under many names, but written under one name only, and then read under no other.</summary>
    private async Task RefuseSharingAsync(string name, ImageFile image, ExportAccess access, CancellationToken cancellationToken)
    {
        var onlyWriters = !access.WritesTheImage;
        if (await store.SharerAsync(image.Path, image.Identity, besides: name, onlyWriters, cancellationToken) is { } other)
        {
            throw new ImageSharedException(image.Path, other.Name, other.Writes);
        }
    }

    /// <summary>The file may have changed since validation; the size recorded must be the one served.</summary>
    private ImageFile InspectAgain(string path)
    {
        var inspection = imageFiles.Inspect(path);
        return inspection.Image ?? throw new ValidationException(
            [new FluentValidation.Results.ValidationFailure(nameof(RegisterExportCommand.File), inspection.Problem)]);
    }
}
