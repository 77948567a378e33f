using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Persistence;

public sealed class ExportStore(NbdmuxDbContext db) : IExportStore
{
    public Task<Export?> FindAsync(string name, CancellationToken cancellationToken) =>
        db.Exports.SingleOrDefaultAsync(e => e.Name == name, cancellationToken);

    public async Task<IReadOnlyList<Export>> ListAsync(CancellationToken cancellationToken) =>
        await db.Exports.AsNoTracking().OrderBy(e => e.Name).ToListAsync(cancellationToken);

    public async Task<IExportChange> BeginChangeAsync(CancellationToken cancellationToken) =>
        new Change(db, await db.Database.BeginTransactionAsync(cancellationToken));

    public void Add(Export export) => db.Exports.Add(export);

    public void Remove(Export export) => db.Exports.Remove(export);

    private sealed class Change(NbdmuxDbContext db, IDbContextTransaction transaction) : IExportChange
    {
        public async Task CommitAsync(Func<Task> makeLive, CancellationToken cancellationToken)
        {
            await db.SaveChangesAsync(cancellationToken);
            await makeLive();
            await transaction.CommitAsync(CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            db.ChangeTracker.Clear();
        }
    }
}
