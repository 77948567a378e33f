using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Nbdkit;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>
/// Which NBD server nbdmux runs: the one --nbd-backend names, or, when it names none, nbdkit
/// where it can run (nbdkit installed, the plugin built), else nbd-server, saying why.
/// </summary>
public static class BackendSelection
{
    public static INbdBackend Select(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<NbdmuxOptions>();
        var nbdkitProblem = options.NbdBackend == NbdmuxOptions.NbdServerBackend ? null : provider.GetRequiredService<NbdkitCommand>().Problem;
        switch (options.NbdBackend)
        {
            case NbdmuxOptions.NbdServerBackend:
                return provider.GetRequiredService<NbdServerBackend>();
            case NbdmuxOptions.NbdkitBackend when nbdkitProblem is not null:
                throw new StartupException($"--nbd-backend nbdkit cannot run: {nbdkitProblem}");
            case NbdmuxOptions.NbdkitBackend:
                return provider.GetRequiredService<NbdkitBackend>();
        }

        if (nbdkitProblem is null)
        {
            return provider.GetRequiredService<NbdkitBackend>();
        }

        provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BackendSelection)).LogWarning(
            "Serving with nbd-server (a restart for each new export name) because the nbdkit backend cannot run: {Problem}", nbdkitProblem);
        return provider.GetRequiredService<NbdServerBackend>();
    }
}
