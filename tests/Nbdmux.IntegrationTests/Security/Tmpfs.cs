using System.Diagnostics;

namespace Nbdmux.IntegrationTests.Security;

/// <summary>A small tmpfs mounted on a new directory: a filesystem of its own, as a second container volume would be.</summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Needs root (CAP_SYS_ADMIN); fails with what is missing, never skips.</summary>
    public static Tmpfs Mount(string size = "64m")
    {
        var path = Directory.CreateTempSubdirectory("nbdmux-it-tmpfs-").FullName;
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        if (exitCode != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mounting a tmpfs on {path} failed ({output.Trim()}); these tests run as root, as CI does.");
        }

        return new Tmpfs(path);
    }

    public void Dispose()
    {
        // Lazily: a process that nbdmux left may still be leaving it.
        Run("umount", "--lazy", Path);
        Directory.Delete(Path);
    }

    private static (int ExitCode, string Output) Run(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
