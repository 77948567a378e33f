using MediatR;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Audit.GetAuditEvents;

public sealed class GetAuditEventsQueryHandler(IAuditLog auditLog) : IRequestHandler<GetAuditEventsQuery, AuditEventPage>
{
    public async Task<AuditEventPage> Handle(GetAuditEventsQuery query, CancellationToken cancellationToken)
    {
        var (events, total) = await auditLog.ListAsync(
            new AuditFilter(
                query.Export,
                query.Action is null ? null : EnumWords.Parse<AuditAction>(query.Action),
                query.Outcome is null ? null : EnumWords.Parse<AuditOutcome>(query.Outcome)),
            (query.Page - 1) * query.PageSize,
            query.PageSize,
            cancellationToken);
        return new AuditEventPage(events.Select(AuditEventDto.From).ToList(), query.Page, query.PageSize, total);
    }
}
