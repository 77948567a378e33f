using MediatR;

namespace Nbdmux.Application.Audit.GetAuditEvents;

/// <summary>A page of the audit log, newest first, optionally only one export, action or outcome.</summary>
public sealed record GetAuditEventsQuery(
    int Page = 1,
    int PageSize = GetAuditEventsQuery.DefaultPageSize,
    string? Export = null,
    string? Action = null,
    string? Outcome = null) : IRequest<AuditEventPage>
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
}
