using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Audit;

/// <summary>
/// Writes one audit record for the current caller. A failed write is logged, never thrown:
/// the audit log must not decide whether a change (or a log-in) happens.
/// </summary>
public sealed class AuditRecorder(ICurrentActor actor, IAuditLog auditLog, TimeProvider clock, ILogger<AuditRecorder> logger)
{
    public AuditEvent Describe(AuditAction action, string? exportName, AuditEvent.ChangeRecord change, AuditEvent.Result result) =>
        AuditEvent.Record(clock.GetUtcNow(), action, exportName, actor.Actor, change, result);

    public async Task RecordAsync(AuditAction action, string? exportName, AuditEvent.ChangeRecord change, AuditEvent.Result result)
    {
        var auditEvent = Describe(action, exportName, change, result);
        try
        {
            // Not the request's token: a caller that went away must not erase the record of what it started.
            await auditLog.RecordAsync(auditEvent, CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Could not write the audit record of {Action} {ExportName} ({Outcome})",
                auditEvent.Action, auditEvent.ExportName, auditEvent.Outcome);
        }
    }
}
