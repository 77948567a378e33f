using MediatR;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Audit.RecordLogin;

/// <summary>Records a log-in attempt of the current caller: let in, or refused with the status it was answered with and why.</summary>
public sealed record RecordLoginCommand : IRequest<Unit>
{
    private RecordLoginCommand(AuditEvent.Result result) => Result = result;

    public AuditEvent.Result Result { get; }

    public static RecordLoginCommand Succeeded { get; } = new(AuditEvent.Result.Done);

    public static RecordLoginCommand Refused(int status, string reason) => new(AuditResults.Refused(status, reason));
}
