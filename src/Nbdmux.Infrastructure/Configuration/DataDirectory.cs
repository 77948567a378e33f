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
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"data dir '{path}' is not writable ({e.Message}); fix its permissions or pass --data-dir.", e);
        }

        if (options.ImagesDir.Count == 0)
        {
            Directory.CreateDirectory(options.ImageRoots()[0]);
        }

        foreach (var root in options.ImageRoots().Where(root => !Directory.Exists(root)))
        {
            throw new StartupException($"images dir '{root}' does not exist; create it or fix --images-dir.");
        }
    }
}
