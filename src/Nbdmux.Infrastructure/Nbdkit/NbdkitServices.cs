using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Nbdkit;

public static class NbdkitServices
{
    /// <summary>
    /// The nbdkit backend and its parts. Needs <see cref="NbdmuxOptions"/>, <see cref="TimeProvider"/>
    /// and logging registered. Nothing is looked up or started until the backend is first used.
    /// </summary>
    public static IServiceCollection AddNbdkitBackend(this IServiceCollection services)
    {
        services.AddSingleton(provider => new NbdkitLayout(provider.GetRequiredService<NbdmuxOptions>()));
        services.AddSingleton(provider => new NbdkitCommand(
            provider.GetRequiredService<NbdmuxOptions>(), provider.GetRequiredService<NbdkitLayout>(), provider.GetRequiredService<NbdmuxOptions>().NbdkitBin));
        services.AddSingleton<ExportRecords>();
        services.AddSingleton<NbdkitLog>();
        services.AddSingleton<NbdkitLauncher>();
        services.AddSingleton<WithheldReports>();
        services.AddSingleton<ConnectionFiles>();
        services.AddSingleton<ConnectionCutter>();
        services.AddSingleton<OverlayFiles>();
        services.AddSingleton<NbdkitBackend>();
        return services;
    }
}
