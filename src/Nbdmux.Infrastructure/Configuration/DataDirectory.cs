using Nbdmux.Infrastructure.Files;

namespace Nbdmux.Infrastructure.Configuration;

public static class DataDirectory
{
    /// <summary>
    /// Creates the data dir (and the default images dir) and proves nbdmux can write there,
    /// before anything else starts.
    /// </summary>
    public static void Prepare(NbdmuxOptions options)
    {
        var path = options.DataDirFullPath;
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            CreatePrivateDirectory(options.KeyRingPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"data dir '{path}' is not writable ({e.Message}); fix its permissions or pass --data-dir.", e);
        }

        if (options.ImagesDir.Count == 0)
        {
            try
            {
                Directory.CreateDirectory(options.ImageRoots()[0]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"images dir '{options.ImageRoots()[0]}' cannot be created ({e.Message}); create it or pass --images-dir.", e);
            }
        }

        foreach (var root in options.ImageRoots().Where(root => !Directory.Exists(root)))
        {
            throw new StartupException($"images dir '{root}' does not exist; create it or fix --images-dir.");
        }

        RefuseOverlap(options);
    }

    /// <summary>Stored unencrypted (no key on the host would protect them better than file permissions), so for nbdmux's user alone.</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// nbdmux's own files (registry, key ring, nbd-server config, authfiles) must never be
    /// exportable, and images never sit among them: compared on canonical paths, so no symlink
    /// hides an overlap.
    /// </summary>
    private static void RefuseOverlap(NbdmuxOptions options)
    {
        var dataDir = ImageRoots.CanonicalPath(options.DataDirFullPath);
        foreach (var root in options.ImageRoots().Select(ImageRoots.CanonicalPath))
        {
            var overlap = dataDir == root ? $"data dir '{dataDir}' is also an images dir"
                : IsWithin(dataDir, root) ? $"data dir '{dataDir}' is inside images dir '{root}'"
                : IsWithin(root, dataDir) ? $"images dir '{root}' is inside data dir '{dataDir}'"
                : null;
            if (overlap is not null)
            {
                throw new StartupException(
                    $"{overlap}; they must not overlap, or nbdmux's own files (registry, keys, nbd-server config) could be served: give them separate directories (--data-dir, --images-dir).");
            }
        }
    }

    private static bool IsWithin(string path, string directory) => path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);
}
