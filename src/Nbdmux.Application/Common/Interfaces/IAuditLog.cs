using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>
/// The persisted record of every attempted change. Written apart from the change's own
/// transaction, so a change that is rolled back is still on record.
/// </summary>
public interface IAuditLog
{
    Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Newest first, <paramref name="skip"/> and <paramref name="take"/> after filtering; the total counts every match.</summary>
    Task<(IReadOnlyList<AuditEvent> Events, int Total)> ListAsync(AuditFilter filter, int skip, int take, CancellationToken cancellationToken);
}

/// <summary>Exact matches; null matches everything.</summary>
public sealed record AuditFilter(string? ExportName, AuditAction? Action, AuditOutcome? Outcome);
