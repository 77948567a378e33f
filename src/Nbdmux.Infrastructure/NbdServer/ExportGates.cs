using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// nbd-server keeps a section's settings until it restarts, but opens the image and reads the
/// section's authfile afresh for every new client. Each section therefore names a link to the
/// image and an authfile that nbdmux owns, and changing a file or removing an export is an
/// atomic rename that takes effect for the next client, with no signal and no restart.
/// The link is a hard link where the filesystem allows it: a client's open file then names its
/// export in /proc even when several exports share one image (a symlink would resolve away).
/// </summary>
public sealed class ExportGates(NbdServerLayout layout)
{
    private const string Everyone = "0.0.0.0/0\n::/0\n";

    /// <summary>An empty authfile admits nobody (a missing one would admit everyone).</summary>
    private const string Nobody = "";

    /// <summary>Points the export at its file and admits its clients (everyone, or its allow list).</summary>
    public void Open(ServedExport export)
    {
        ReplaceLink(layout.LinkPath(export.Name), export.FilePath);
        var admitted = export.Access.Networks is { } networks ? string.Concat(networks.Select(network => $"{network}\n")) : Everyone;
        ReplaceFile(layout.AuthFilePath(export.Name), admitted);
    }

    public void Close(string name)
    {
        ReplaceFile(layout.AuthFilePath(name), Nobody);
        File.Delete(layout.LinkPath(name));
    }

    /// <summary>Removes what removed exports left behind, once no running nbd-server can still read it.</summary>
    public void DeleteAllExcept(IReadOnlySet<string> names)
    {
        foreach (var directory in new[] { layout.LinksDirectory, layout.AuthDirectory })
        {
            foreach (var path in Directory.EnumerateFiles(directory).Where(p => !names.Contains(Path.GetFileName(p))))
            {
                File.Delete(path);
            }
        }
    }

    private static void ReplaceLink(string path, string target)
    {
        var staged = StagingPath(path);
        File.Delete(staged);
        if (!HardLink.TryCreate(target, staged))
        {
            File.CreateSymbolicLink(staged, target);
        }

        File.Move(staged, path, overwrite: true);
    }

    private static void ReplaceFile(string path, string contents)
    {
        var staged = StagingPath(path);
        File.WriteAllText(staged, contents);
        File.Move(staged, path, overwrite: true);
    }

    /// <summary>A dot-name, which no export can have, so staging files never collide with one.</summary>
    private static string StagingPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.CurrentManagedThreadId}.tmp");
}
