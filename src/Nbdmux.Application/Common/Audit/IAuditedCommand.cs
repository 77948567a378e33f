using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Audit;

/// <summary>A change whose every attempt is recorded in the audit log by <see cref="Behaviours.AuditBehaviour{TRequest,TResponse}"/>.</summary>
public interface IAuditedCommand
{
    /// <summary>What is recorded unless the handler says more precisely (e.g. "register" that turned out a "replace").</summary>
    AuditAction AuditAction { get; }

    string? AuditExportName { get; }

    /// <summary>Asked to go ahead even though connected clients lose their disk.</summary>
    bool Force { get; }
}
