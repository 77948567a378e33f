using MediatR;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Audit.RecordLogin;

public sealed class RecordLoginCommandHandler(AuditRecorder audit) : IRequestHandler<RecordLoginCommand, Unit>
{
    public async Task<Unit> Handle(RecordLoginCommand command, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(AuditAction.Login, null, AuditEvent.ChangeRecord.None, command.Result);
        return Unit.Value;
    }
}
