using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.NbdServer;

public static class NbdServerBinary
{
    /// <summary>The full path of the configured nbd-server, looked up in PATH when it is a bare name.</summary>
    public static string Resolve(string configured)
    {
        var candidates = configured.Contains('/')
            ? [configured]
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, configured));
        return candidates.FirstOrDefault(File.Exists) is { } found
            ? Path.GetFullPath(found)
            : throw new StartupException(
                $"nbd-server binary '{configured}' not found{(configured.Contains('/') ? "" : " in PATH")}: " +
                "install it (apt-get install nbd-server) or pass --nbd-server-bin PATH.");
    }
}
