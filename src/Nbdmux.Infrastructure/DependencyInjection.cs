using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, NbdmuxOptions options)
    {
        services.AddSingleton(options);
        services.AddDbContext<NbdmuxDbContext>(db =>
            db.UseSqlite($"Data Source={Path.Combine(options.DataDirFullPath, "nbdmux.db")}"));
        services.AddScoped<IExportStore, ExportStore>();
        services.AddSingleton<IImageFiles, ImageFiles>();

        services.AddSingleton<NbdServerLayout>();
        services.AddSingleton<ExportGates>();
        services.AddSingleton<NbdProbe>();
        services.AddSingleton(provider => new NbdServerConfig(
            provider.GetRequiredService<NbdServerLayout>(), options.NbdPort, options.Bind));
        services.AddSingleton(provider => new NbdServerLauncher(
            NbdServerBinary.Resolve(options.NbdServerBin),
            provider.GetRequiredService<NbdServerLayout>(),
            provider.GetRequiredService<ILogger<NbdServerLauncher>>()));
        services.AddSingleton<NbdServerSupervisor>();
        services.AddSingleton<INbdServer>(provider => provider.GetRequiredService<NbdServerSupervisor>());
        services.AddHostedService(provider => provider.GetRequiredService<NbdServerSupervisor>());
        return services;
    }
}
