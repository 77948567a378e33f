using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>Where the supervisor keeps nbd-server's files, all under the data dir.</summary>
public sealed class NbdServerLayout(NbdmuxOptions options)
{
    public string Root { get; } = Path.Combine(options.DataDirFullPath, "nbd-server");

    public string ConfigPath => Path.Combine(Root, "config");

    public string PidFilePath => Path.Combine(Root, "nbd-server.pid");

    /// <summary>An empty image behind the always-present, never-admitted placeholder export.</summary>
    public string PlaceholderImagePath => Path.Combine(Root, "placeholder.img");

    public string LinksDirectory => Path.Combine(Root, "exports");

    public string AuthDirectory => Path.Combine(Root, "auth");

    /// <summary>Where nbd-server keeps each copy-on-write client's private overlay.</summary>
    public string CowDirectory => Path.Combine(Root, "cow");

    public string LinkPath(string exportName) => Path.Combine(LinksDirectory, exportName);

    public string AuthFilePath(string exportName) => Path.Combine(AuthDirectory, exportName);

    public void Create()
    {
        Directory.CreateDirectory(LinksDirectory);
        Directory.CreateDirectory(AuthDirectory);
        Directory.CreateDirectory(CowDirectory);
        if (!File.Exists(PlaceholderImagePath))
        {
            File.WriteAllBytes(PlaceholderImagePath, []);
        }
    }
}
