using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Cluster;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Nbdkit;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Infrastructure.Persistence;
using Nbdmux.Infrastructure.Warming;

namespace Nbdmux.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Needs <see cref="NbdmuxOptions"/> registered; reads it only when the host starts.</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services)
    {
        // Pooled: every change uses two contexts (its own and the audit record's), and setting one
        // up costs more than the SQLite statements it then runs.
        services.AddDbContextPool<NbdmuxDbContext>((provider, db) => provider.GetRequiredService<NbdmuxOptions>().RegistryDatabase().Configure(db));
        services.AddSingleton<CommittedExports>();
        services.AddSingleton<DataDirSpace>();
        services.AddScoped<IExportStore, ExportStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IAuditLog>(provider => provider.GetRequiredService<AuditLog>());
        services.AddSingleton<ImageRoots>();
        services.AddSingleton<ImageFiles>();
        services.AddSingleton<IImageFiles>(provider => provider.GetRequiredService<ImageFiles>());
        services.AddSingleton<ServedFileAudit>();
        services.AddSingleton<IImageCatalog, ImageCatalog>();

        services.AddSingleton<NbdServerLayout>();
        services.AddSingleton<ExportGates>();
        services.AddSingleton<INbdProbe, NbdProbe>();
        services.AddSingleton<ClientConnectionTable>();
        services.AddSingleton<NbdServerReaper>();
        services.AddSingleton(provider => new NbdServerConfig(
            provider.GetRequiredService<NbdServerLayout>(),
            provider.GetRequiredService<NbdmuxOptions>().NbdPort,
            provider.GetRequiredService<NbdmuxOptions>().Bind));
        services.AddSingleton(provider => new NbdServerLauncher(
            NbdServerBinary.Resolve(provider.GetRequiredService<NbdmuxOptions>().NbdServerBin),
            provider.GetRequiredService<NbdServerLayout>(),
            NbdServerPreload.BesideApp(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<NbdServerLauncher>>()));
        services.AddSingleton<NbdServerBackend>();
        services.AddNbdkitBackend();
        services.AddSingleton(BackendSelection.Select);
        services.AddSingleton<StartupRecovery>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<RegistryInitializer>();
        services.AddSingleton(provider => new NbdServerSupervisor(
            provider.GetRequiredService<INbdBackend>(),
            provider.GetRequiredService<INbdProbe>(),
            provider.GetRequiredService<StartupRecovery>(),
            provider.GetRequiredService<IAuditLog>(),
            provider.GetRequiredService<ServedFileAudit>(),
            provider.GetRequiredService<NbdmuxOptions>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<NbdServerSupervisor>>()));
        services.AddSingleton<INbdServer>(provider => provider.GetRequiredService<NbdServerSupervisor>());
        services.AddHostedService(provider => provider.GetRequiredService<NbdServerSupervisor>());
        // After the supervisor: the node's row says what its NBD server serves.
        services.AddSingleton<IClusterNodes, ClusterNodes>();
        services.AddSingleton<AppliedRevisions>();
        services.AddSingleton<ServedRevision>();
        services.AddSingleton<IClusterPropagation, ClusterPropagation>();
        services.AddHostedService<NodeHeartbeat>();
        services.AddHostedService<RegistrySync>();
        services.AddSingleton<IClusterClients, ClusterClients>();
        services.AddHostedService<ClientRecorder>();

        services.AddSingleton<IWarmSources, WarmSources>();
        services.TryAddSingleton<IWarmMetrics, UncountedWarms>();
        services.AddSingleton<Warmer>();
        services.AddSingleton<IWarmer>(provider => provider.GetRequiredService<Warmer>());
        // After the supervisor: a warm that lands is published at once.
        services.AddHostedService(provider => provider.GetRequiredService<Warmer>());
        return services;
    }
}
