using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure.PostgreSql;

/// <summary>
/// Lets `dotnet ef migrations add --project src/Nbdmux.Infrastructure.PostgreSql --startup-project
/// src/Nbdmux.Infrastructure.PostgreSql` build the PostgreSQL model without a server.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<NbdmuxDbContext>
{
    public NbdmuxDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<NbdmuxDbContext>();
        RegistryDatabase.Parse("postgresql://nbdmux@localhost/nbdmux", "/").Configure(options);
        return new NbdmuxDbContext(options.Options);
    }
}
