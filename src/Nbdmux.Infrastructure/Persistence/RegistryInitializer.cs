using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// Runs first at start-up: makes sure the data dir is writable and the registry's schema is
/// current before the supervisor reads the exports from it.
/// </summary>
public sealed class RegistryInitializer(NbdmuxOptions options, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        DataDirectory.Prepare(options);
        await services.MigrateDatabaseAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
