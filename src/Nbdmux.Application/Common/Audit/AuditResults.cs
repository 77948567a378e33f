using FluentValidation;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Audit;

/// <summary>How a failed request is recorded: the status the caller was answered with and why.</summary>
public static class AuditResults
{
    public static AuditEvent.Result Of(Exception exception) => (exception, ErrorStatus.Of(exception)) switch
    {
        (ValidationException validation, { } status) => Refused(status, string.Join(" ", validation.Errors.Select(failure => failure.ErrorMessage))),
        (_, { } status) => Refused(status, exception.Message),
        (OperationCanceledException, _) => new AuditEvent.Result(AuditOutcome.Failed, null, "The request was cancelled before the change finished."),
        _ => new AuditEvent.Result(AuditOutcome.Failed, 500, exception.Message),
    };

    public static AuditEvent.Result Refused(int status, string reason) => new(AuditOutcome.Refused, status, reason);
}
