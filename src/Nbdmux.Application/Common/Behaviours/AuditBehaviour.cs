using MediatR;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Behaviours;

/// <summary>
/// Records every attempt of an <see cref="IAuditedCommand"/> once it is over, refused or not.
/// Runs outside validation, so a request refused there is recorded too. A change that succeeds
/// is recorded in its own transaction (<see cref="AuditedChange.RecordOnSuccess"/>); one that
/// fails after the handler's transaction has ended, so a rolled-back change is recorded as refused.
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

        change.RecordOnSuccess(() => Describe(command, AuditEvent.Result.Done));
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

        if (!change.RecordedWithChange)
        {
            await RecordAsync(command, AuditEvent.Result.Done);
        }

        return response;
    }

    private AuditEvent Describe(IAuditedCommand command, AuditEvent.Result result) =>
        recorder.Describe(change.Action ?? command.AuditAction, command.AuditExportName, Changes(command), result);

    private Task RecordAsync(IAuditedCommand command, AuditEvent.Result result) =>
        recorder.RecordAsync(change.Action ?? command.AuditAction, command.AuditExportName, Changes(command), result);

    private AuditEvent.ChangeRecord Changes(IAuditedCommand command) =>
        new(command.Force, change.Before, change.After, change.Disconnected);
}
