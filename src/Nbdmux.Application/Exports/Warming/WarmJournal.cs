using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Exports.Warming;

/// <summary>
/// The registry's side of a warm: each step the warmer takes is recorded under the registry's
/// lock, and only while the attempt is still the export's current one. Landing the image goes
/// through the same checks and publication as a registered file.
/// </summary>
public sealed class WarmJournal(
    IExportStore store,
    INbdServer nbdServer,
    IImageFiles imageFiles,
    IAuditLog auditLog,
    IClusterNodes nodes,
    TimeProvider clock,
    ILogger<WarmJournal> logger)
{
    /// <summary>
    /// The warms <paramref name="node"/> should run: every queued one, and every one whose run
    /// nobody carries on (its node is down, or is this node <paramref name="starting"/>), which is
    /// queued again to start over from its first byte. Runs of other nodes that are up are theirs.
    /// </summary>
    public async Task<WarmClaims> ClaimAsync(string node, bool starting, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var others = (await nodes.ReadAsync(cancellationToken)).Nodes.Where(n => n.Name != node && n.IsUp(now)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        await using var change = await store.BeginChangeAsync(cancellationToken);
        var warming = (await store.ListAsync(cancellationToken)).Where(e => e.IsWarming).OrderBy(e => e.EnqueuedAt).ToList();
        var runsElsewhere = warming.Where(e => e.Status != ExportStatus.Queued && e.WarmNode is { } runner && others.Contains(runner)).Select(e => e.Name).ToList();
        var queued = warming.Where(e => e.Status == ExportStatus.Queued).Select(e => e.Name).ToList();
        var orphaned = warming
            .Where(e => e.Status != ExportStatus.Queued && !runsElsewhere.Contains(e.Name) && (starting || e.WarmNode != node))
            .ToList();
        foreach (var export in orphaned)
        {
            logger.LogInformation(
                "Warm of export {ExportName} was running on node {WarmNode}, which {Why}; it starts over",
                export.Name, export.WarmNode, export.WarmNode == node ? "has restarted" : "is down");
            (await store.FindAsync(export.Name, cancellationToken))!.WarmInterrupted();
        }

        if (orphaned.Count > 0)
        {
            await CommitAsync(change, cancellationToken);
        }

        var restarted = orphaned.Select(e => e.Name).ToList();
        return new WarmClaims([.. queued, .. restarted], restarted, runsElsewhere);
    }

    /// <summary>Marks the export's queued warm as fetching; null when it waits for none (removed, registered with a file, running, done).</summary>
    public async Task<StartedWarm?> StartAsync(string name, string node, CancellationToken cancellationToken)
    {
        await using var change = await store.BeginChangeAsync(cancellationToken);
        if (await store.FindAsync(name, cancellationToken) is not { Status: ExportStatus.Queued, Source: { } source, EnqueuedAt: { } enqueuedAt } export)
        {
            return null;
        }

        export.WarmStarted(clock.GetUtcNow(), node);
        await CommitAsync(change, cancellationToken);
        return new StartedWarm(new WarmAttempt(name, enqueuedAt, node), source, export.FilePath);
    }

    /// <summary>False once the attempt is no longer current: the warmer should stop.</summary>
    public Task<bool> ProgressAsync(WarmAttempt attempt, ExportStatus phase, long bytesDone, long? bytesTotal, CancellationToken cancellationToken) =>
        UpdateAsync(attempt, export => export.WarmProgressed(phase, bytesDone, bytesTotal), cancellationToken);

    public Task<bool> FormatFoundAsync(WarmAttempt attempt, string format, CancellationToken cancellationToken) =>
        UpdateAsync(attempt, export => export.WarmFormatFound(format), cancellationToken);

    public async Task FailAsync(WarmAttempt attempt, string error, CancellationToken cancellationToken)
    {
        if (await UpdateAsync(attempt, export => export.WarmFailed(error, clock.GetUtcNow()), cancellationToken))
        {
            logger.LogWarning("Warm of export {ExportName} failed: {Reason}", attempt.Name, error);
            await RecordAsync(AuditAction.WarmFailed, attempt.Name, new AuditEvent.Result(AuditOutcome.Failed, null, error));
        }
    }

    public Task CancelledAsync(WarmAttempt attempt)
    {
        logger.LogInformation("Warm of export {ExportName} cancelled", attempt.Name);
        return RecordAsync(AuditAction.WarmCancelled, attempt.Name, AuditEvent.Result.Done);
    }

    /// <summary>
    /// Lands the image (<paramref name="land"/> moves it to the export's path), checks it as a
    /// registration would and serves it: ready means negotiable. False when the attempt is no
    /// longer current, and nothing was landed.
    /// </summary>
    /// <exception cref="Common.Exceptions.NbdServerUnavailableException">The image could not be made live.</exception>
    public async Task<bool> CompleteAsync(WarmAttempt attempt, Action<string> land, CancellationToken cancellationToken)
    {
        await using var change = await store.BeginChangeAsync(cancellationToken);
        var export = await FindCurrentAsync(attempt, cancellationToken);
        if (export is null)
        {
            return false;
        }

        land(export.FilePath);
        var inspection = imageFiles.Inspect(export.FilePath);
        if (inspection.Image is not { } image)
        {
            export.WarmFailed(inspection.Problem!, clock.GetUtcNow());
            await CommitAsync(change, cancellationToken);
            logger.LogWarning("Warm of export {ExportName} failed: {Reason}", attempt.Name, inspection.Problem);
            await RecordAsync(AuditAction.WarmFailed, attempt.Name, new AuditEvent.Result(AuditOutcome.Failed, null, inspection.Problem));
            return true;
        }

        export.WarmReady(image, clock.GetUtcNow());
        await change.CommitAsync(
            () => nbdServer.PublishAsync(ServedExport.From(export), cancellationToken),
            undo: () => nbdServer.WithdrawAsync(export.Name, CancellationToken.None),
            cancellationToken);
        logger.LogInformation("Warm of export {ExportName} is ready: {ImagePath} ({SizeBytes} bytes)", export.Name, image.Path, image.SizeBytes);
        await RecordAsync(AuditAction.WarmReady, attempt.Name, AuditEvent.Result.Done);
        return true;
    }

    private async Task<bool> UpdateAsync(WarmAttempt attempt, Action<Export> update, CancellationToken cancellationToken)
    {
        await using var change = await store.BeginChangeAsync(cancellationToken);
        if (await FindCurrentAsync(attempt, cancellationToken) is not { } export)
        {
            return false;
        }

        update(export);
        await CommitAsync(change, cancellationToken);
        return true;
    }

    private async Task<Export?> FindCurrentAsync(WarmAttempt attempt, CancellationToken cancellationToken) =>
        await store.FindAsync(attempt.Name, cancellationToken) is { IsWarming: true } export && export.EnqueuedAt == attempt.EnqueuedAt && export.WarmNode == attempt.Node
            ? export
            : null;

    /// <summary>A step of a warm changes nothing on the wire until it is ready.</summary>
    private static Task CommitAsync(IExportChange change, CancellationToken cancellationToken) =>
        change.CommitAsync(() => Task.CompletedTask, () => Task.CompletedTask, cancellationToken);

    private async Task RecordAsync(AuditAction action, string name, AuditEvent.Result result)
    {
        try
        {
            await auditLog.RecordAsync(
                AuditEvent.Record(clock.GetUtcNow(), action, name, AuditEvent.Actor.Nbdmux, AuditEvent.ChangeRecord.None, result),
                CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not write the audit record {AuditAction} of export {ExportName}", action, name);
        }
    }
}

/// <param name="Queue">Warms to run, oldest first.</param>
/// <param name="Restarted">Runs no node carries on any more, queued again: what they staged is left over.</param>
/// <param name="RunElsewhere">Runs other nodes that are up carry on: what they stage is theirs.</param>
public sealed record WarmClaims(IReadOnlyList<string> Queue, IReadOnlyList<string> Restarted, IReadOnlyList<string> RunElsewhere);

/// <summary>A warm the warmer runs now: what to fetch, and the export's path its image lands at.</summary>
public sealed record StartedWarm(WarmAttempt Attempt, WarmSource Source, string Target);
