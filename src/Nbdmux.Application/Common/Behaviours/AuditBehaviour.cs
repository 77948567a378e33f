using MediatR;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Behaviours;

/// <summary>
/// Records every attempt of an <see cref="IAuditedCommand"/> once it is over, refused or not.
/// Runs outside validation, so a request refused there is recorded too, and after the
/// handler's transaction has ended, so a rolled-back change is recorded as refused.
/// </summary>
public sealed class AuditBehaviour<TRequest, TResponse>(AuditedChange change, AuditRecorder recorder)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(
        TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not IAuditedCommand command)
        {
            return await next();
        }

        TResponse response;
        try
        {
            response = await next();
        }
        catch (Exception exception)
        {
            await RecordAsync(command, AuditResults.Of(exception));
            throw;
        }

        await RecordAsync(command, AuditEvent.Result.Done);
        return response;
    }

    private Task RecordAsync(IAuditedCommand command, AuditEvent.Result result) => recorder.RecordAsync(
        change.Action ?? command.AuditAction,
        command.AuditExportName,
        new AuditEvent.ChangeRecord(command.Force, change.Before, change.After, change.Disconnected),
        result);
}
