using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the daemon.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<NbdmuxDbContext>
{
    public NbdmuxDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NbdmuxDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
