using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// Each call has a DbContext of its own (its own connection and transaction), never the
/// request's: the change being audited may still roll back, and its record must stay.
/// A record that cannot be written (the data dir's disk is full, which is also when changes
/// are refused) is kept in memory and written with the next one that can be.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes) : IAuditLog
{
    /// <summary>Enough for a long outage of the disk, small enough never to matter for memory.</summary>
    private const int MaxPending = 10_000;

    private readonly Lock _lock = new();
    private readonly List<AuditEvent> _pending = [];

    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        List<AuditEvent> batch;
        lock (_lock)
        {
            if (_pending.Count < MaxPending)
            {
                _pending.Add(auditEvent);
            }

            batch = [.. _pending];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        db.AuditEvents.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        lock (_lock)
        {
            _pending.RemoveAll(batch.Contains);
        }
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
