using MediatR;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Behaviours;

/// <summary>
/// Records every attempt of an <see cref="IAuditedCommand"/> once it is over, refused or not.
/// Runs outside validation, so a request refused there is recorded too. The record is written
/// after the handler's transaction has ended, and a failed write is logged, never thrown: the
/// audit log must not decide whether a change happens.
/// </summary>
public sealed class AuditBehaviour<TRequest, TResponse>(
    AuditedChange change,
    ICurrentActor actor,
    IAuditLog auditLog,
    TimeProvider clock,
    ILogger<AuditBehaviour<TRequest, TResponse>> logger) : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(
        TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not IAuditedCommand command)
        {
            return await next();
        }

        try
        {
            var response = await next();
            await RecordAsync(command, AuditEvent.Result.Done);
            return response;
        }
        catch (Exception exception)
        {
            await RecordAsync(command, AuditResults.Of(exception));
            throw;
        }
    }

    private async Task RecordAsync(IAuditedCommand command, AuditEvent.Result result)
    {
        var auditEvent = AuditEvent.Record(
            clock.GetUtcNow(),
            change.Action ?? command.AuditAction,
            command.AuditExportName,
            actor.Actor,
            new AuditEvent.ChangeRecord(command.Force, change.Before, change.After, change.Disconnected),
            result);
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
