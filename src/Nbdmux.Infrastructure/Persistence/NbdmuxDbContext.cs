using Microsoft.EntityFrameworkCore;
using Nbdmux.Domain.Audit;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Infrastructure.Persistence;

public sealed class NbdmuxDbContext(DbContextOptions<NbdmuxDbContext> options) : DbContext(options)
{
    public DbSet<Export> Exports => Set<Export>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<Node> Nodes => Set<Node>();

    public DbSet<NodeClient> NodeClients => Set<NodeClient>();

    public DbSet<ClientCut> ClientCuts => Set<ClientCut>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(NbdmuxDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            // PostgreSQL's byte-order collation: names compare and sort as SQLite's BINARY does them.
            modelBuilder.Entity<Export>().Property(e => e.Name).UseCollation("C");
        }
    }
}
