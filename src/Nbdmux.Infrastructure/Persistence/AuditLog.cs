using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// Each call has a DbContext of its own (its own connection and transaction), never the
/// request's: the change being audited may still roll back, and its record must stay.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes) : IAuditLog
{
    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        db.AuditEvents.Add(auditEvent);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<(IReadOnlyList<AuditEvent> Events, int Total)> ListAsync(
        AuditFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        var matches = db.AuditEvents.AsNoTracking();
        if (filter.ExportName is not null)
        {
            matches = matches.Where(e => e.ExportName == filter.ExportName);
        }

        if (filter.Action is not null)
        {
            matches = matches.Where(e => e.Action == filter.Action);
        }

        if (filter.Outcome is not null)
        {
            matches = matches.Where(e => e.Outcome == filter.Outcome);
        }

        var total = await matches.CountAsync(cancellationToken);
        var events = await matches.OrderByDescending(e => e.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (events, total);
    }
}
