using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The directory nbdmux and its nbdkit plugin talk through (docs: the plugin's contract), under
/// the data dir. Its path is canonical: the plugin is handed it on the command line, which is how
/// a later nbdmux recognises its server, and the kernel shows open files under it resolved.
/// </summary>
public sealed class NbdkitLayout(string root)
{
    public NbdkitLayout(NbdmuxOptions options)
        : this(Path.Combine(RealPath.Of(options.DataDirFullPath) ?? options.DataDirFullPath, "nbdkit"))
    {
    }

    public string Root { get; } = root;

    /// <summary>One published record per export, read by the plugin at every client's open.</summary>
    public string ExportsDirectory => Path.Combine(Root, "exports");

    /// <summary>Where a stopping nbdmux puts the records away, so that new clients are refused until the next one starts.</summary>
    public string StoppedExportsDirectory => Path.Combine(Root, "exports.stopped");

    /// <summary>One file per connected client, written by the plugin.</summary>
    public string ConnectionsDirectory => Path.Combine(Root, "connections");

    /// <summary>nbdmux creates cut/ID to have the plugin disconnect that client.</summary>
    public string CutDirectory => Path.Combine(Root, "cut");

    /// <summary>The plugin's reasons for refusing an export, read and deleted by nbdmux.</summary>
    public string WithheldDirectory => Path.Combine(Root, "withheld");

    /// <summary>Copy-on-write overlays: unlinked temporary files, visible only through nbdkit's open file descriptors.</summary>
    public string CowDirectory => Path.Combine(Root, "cow");

    public string PidFilePath => Path.Combine(Root, "nbdkit.pid");

    /// <summary>nbdkit's stdout and stderr (it outlives nbdmux, so it cannot hold nbdmux's own).</summary>
    public string LogPath => Path.Combine(Root, "nbdkit.log");

    public string RecordPath(string exportName) => Path.Combine(ExportsDirectory, exportName);

    public void Create()
    {
        foreach (var directory in new[] { ExportsDirectory, ConnectionsDirectory, CutDirectory, WithheldDirectory, CowDirectory })
        {
            Directory.CreateDirectory(directory);
        }
    }
}
