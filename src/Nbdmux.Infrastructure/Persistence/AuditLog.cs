using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// Each record written here has a DbContext of its own (its own connection and transaction),
/// never the request's: the change it records may have rolled back, and its record must stay. (A
/// change that succeeds commits its record in its own transaction: <see cref="ExportStore"/>.)
/// A record that cannot be written (the data dir's disk is full, which is also when changes
/// are refused) is kept in memory and written with the next one that can be.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes) : IAuditLog
{
    /// <summary>Enough for a long outage of the disk, small enough never to matter for memory.</summary>
    private const int MaxWaiting = 10_000;

    private readonly Lock _lock = new();
    private List<AuditEvent> _waiting = [];

    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var batch = TakeWaiting();
        batch.Add(auditEvent);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
            db.AuditEvents.AddRange(batch);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            PutBack(batch);
            throw;
        }
    }

    /// <summary>
    /// Takes the records that could not be written yet, for the caller to write (a change commits
    /// them with its own record); whoever takes them puts them back if that fails.
    /// </summary>
    public List<AuditEvent> TakeWaiting()
    {
        lock (_lock)
        {
            var taken = _waiting;
            _waiting = [];
            return taken;
        }
    }

    public void PutBack(IReadOnlyList<AuditEvent> records)
    {
        lock (_lock)
        {
            _waiting.InsertRange(0, records.Take(MaxWaiting - _waiting.Count));
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
