using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Cluster;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Cluster;

namespace Nbdmux.Infrastructure.Persistence;

public sealed class ExportStore(
    NbdmuxDbContext db,
    CommittedExports committed,
    DataDirSpace space,
    AuditedChange audited,
    AuditLog auditLog,
    LocalNode local,
    ServedRevision served,
    ChangePropagation propagation,
    TimeProvider time)
    : IExportStore
{
    /// <summary>The advisory lock that stands for the registry's write lock on PostgreSQL ("nbdmux" in ASCII).</summary>
    private const long RegistryLockKey = 0x6E62646D7578;

    /// <summary>Known here rather than asked of EF Core, which would set the context up for a listing that needs no query.</summary>
    private bool _changing;

    public Task<Export?> FindAsync(string name, CancellationToken cancellationToken) =>
        db.Exports.SingleOrDefaultAsync(e => e.Name == name, cancellationToken);

    /// <summary>Inside a change, the query sees the change's own rows, which must never be kept for others.</summary>
    public async Task<IReadOnlyList<Export>> ListAsync(CancellationToken cancellationToken) =>
        _changing ? await QueryAsync(cancellationToken) : await committed.GetAsync(() => QueryAsync(cancellationToken));

    public async Task<ImageSharer?> SharerAsync(string path, FileIdentity? identity, string besides, bool onlyWriters, CancellationToken cancellationToken)
    {
        // SQLite keeps the identity's unsigned numbers as signed 64-bit integers (ExportConfiguration).
        long? device = identity is { } known ? unchecked((long)known.Device) : null;
        long? inode = identity is { } same ? unchecked((long)same.Inode) : null;
        // SQL of its own: EF Core cannot compare the identity's complex columns from LINQ here.
        var sharers = await db.Database.SqlQuery<ImageSharer>($"""
            SELECT name AS "Name", (NOT readonly AND NOT copy_on_write) AS "Writes" FROM exports
            WHERE (file = {path} OR (file_device = {device} AND file_inode = {inode})) AND name <> {besides}
              AND (NOT {onlyWriters} OR (NOT readonly AND NOT copy_on_write))
            ORDER BY name LIMIT 1
            """).ToListAsync(cancellationToken);
        return sharers.FirstOrDefault();
    }

    public async Task<IExportChange> BeginChangeAsync(CancellationToken cancellationToken)
    {
        space.EnsureRoomForAChange();
        var shared = db.Database.IsNpgsql();
        var gate = shared ? await served.EnterAsync(cancellationToken) : null;
        IDbContextTransaction? transaction = null;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockRegistryAsync(db, cancellationToken);
        }
        catch (Exception e)
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            gate?.Dispose();
            if (StorageFailure.Describe(e) is { } failure)
            {
                throw failure;
            }

            throw;
        }

        var change = new Change(db, transaction, committed, audited, auditLog, local, shared ? served : null, propagation, time, ended: () =>
        {
            _changing = false;
            gate?.Dispose();
        });
        _changing = true;
        return change;
    }

    public void Add(Export export) => db.Exports.Add(export);

    public void Remove(Export export) => db.Exports.Remove(export);

    /// <summary>Takes the registry's write lock for the transaction under way, until it ends.</summary>
    public static async Task LockRegistryAsync(NbdmuxDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // SQLite's transaction holds the file's write lock; PostgreSQL's locks rows only, so every
            // node's changes take one lock of the whole registry, released when the transaction ends.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RegistryLockKey})", cancellationToken);
        }
    }

    private Task<List<Export>> QueryAsync(CancellationToken cancellationToken) =>
        db.Exports.AsNoTracking().OrderBy(e => e.Name).ToListAsync(cancellationToken);

    private sealed class Change(
        NbdmuxDbContext db,
        IDbContextTransaction transaction,
        CommittedExports committed,
        AuditedChange audited,
        AuditLog auditLog,
        LocalNode local,
        ServedRevision? served,
        ChangePropagation propagation,
        TimeProvider time,
        Action ended)
        : IExportChange
    {
        private readonly List<string> _cuts = [];

        public void CutClients(string exportName) => _cuts.Add(exportName);

        public async Task CommitAsync(Func<Task> makeLive, Func<Task> undo, CancellationToken cancellationToken)
        {
            long revision;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await db.Database.ExecuteSqlAsync($"UPDATE registry SET revision = revision + 1", cancellationToken);
                revision = await db.RevisionAsync(cancellationToken);
                if (db.Database.IsNpgsql())
                {
                    await OrderCutsAsync(revision, cancellationToken);
                    // Delivered to the listening nodes when (and only if) the change commits.
                    await db.Database.ExecuteSqlAsync($"SELECT pg_notify({RegistrySync.Channel}, {revision.ToString(CultureInfo.InvariantCulture)})", cancellationToken);
                }
            }
            catch (Exception e) when (StorageFailure.Describe(e) is { } failure)
            {
                throw failure;
            }

            await makeLive();
            List<AuditEvent> waiting = [];
            try
            {
                // Live here already: on a registry of its own a node never lags behind its own change; on a
                // shared one, only if it served every change before it (else its next pass confirms it).
                var servesAll = served is null || served.Follows(revision);
                if (servesAll)
                {
                    await db.Database.ExecuteSqlAsync($"UPDATE nodes SET applied_revision = {revision} WHERE name = {local.Name}", CancellationToken.None);
                }

                if (audited.RecordOfSuccess() is { } record)
                {
                    // Records that waited for a disk with room go first, in the order they happened.
                    waiting = auditLog.TakeWaiting();
                    db.AuditEvents.AddRange([.. waiting, record]);
                    await db.SaveChangesAsync(CancellationToken.None);
                }

                await transaction.CommitAsync(CancellationToken.None);
                if (servesAll)
                {
                    served?.Served(revision);
                }

                audited.Committed();
                propagation.Committed(revision);
            }
            catch (Exception e)
            {
                auditLog.PutBack(waiting);
                await undo();
                if (StorageFailure.Describe(e) is { } failure)
                {
                    throw failure;
                }

                throw;
            }
            finally
            {
                // Even a failed commit may have reached the disk: read again rather than guess.
                committed.Invalidate();
            }
        }

        /// <summary>Only a shared registry has other nodes to order; old orders go, read by every node that was up meanwhile.</summary>
        private async Task OrderCutsAsync(long revision, CancellationToken cancellationToken)
        {
            if (_cuts.Count == 0)
            {
                return;
            }

            var now = time.GetUtcNow();
            var expired = now - ClientCut.KeptFor;
            await db.ClientCuts.Where(c => c.At < expired).ExecuteDeleteAsync(cancellationToken);
            db.ClientCuts.AddRange(_cuts.Distinct(StringComparer.Ordinal).Select(name => new ClientCut { Revision = revision, Export = name, OrderedBy = local.Name, At = now }));
            await db.SaveChangesAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            db.ChangeTracker.Clear();
            ended();
        }
    }
}
