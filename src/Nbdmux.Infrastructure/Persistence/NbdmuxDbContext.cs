using Microsoft.EntityFrameworkCore;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Persistence;

public sealed class NbdmuxDbContext(DbContextOptions<NbdmuxDbContext> options) : DbContext(options)
{
    public DbSet<Export> Exports => Set<Export>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(NbdmuxDbContext).Assembly);
}
