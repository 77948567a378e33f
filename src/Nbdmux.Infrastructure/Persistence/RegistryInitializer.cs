using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// Runs first at start-up: makes sure the data dir is writable, the registry's schema is current
/// and every export has its file's identity recorded before the supervisor reads the exports.
/// </summary>
public sealed class RegistryInitializer(NbdmuxOptions options, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        DataDirectory.Prepare(options);
        await services.MigrateDatabaseAsync(cancellationToken);
        await services.RecordMissingFileIdentitiesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
