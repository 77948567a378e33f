using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.Infrastructure.NbdServer;

public static class NbdServerBinary
{
    /// <summary>The full path of the configured nbd-server, looked up in PATH when it is a bare name.</summary>
    public static string Resolve(string configured) =>
        ExecutableSearch.Find(configured) ?? throw new StartupException(
            $"nbd-server binary '{configured}' not found{(configured.Contains('/') ? "" : " in PATH")}: " +
            "install it (apt-get install nbd-server) or pass --nbd-server-bin PATH.");
}
