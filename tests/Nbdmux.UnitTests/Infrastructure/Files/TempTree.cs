using System.Diagnostics;
using System.Globalization;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Infrastructure.Files;

/// <summary>A temporary directory holding an image root and, beside it, a directory outside every root.</summary>
public sealed class TempTree : IDisposable
{
    public string Scratch { get; } = Directory.CreateTempSubdirectory("nbdmux-files-").FullName;

    public string Root => Directory.CreateDirectory(Path.Combine(Scratch, "root")).FullName;

    public string Outside => Directory.CreateDirectory(Path.Combine(Scratch, "outside")).FullName;

    public string File(string relativePath, int size = 4096, byte fill = 0)
    {
        var path = Path.Combine(Scratch, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, Enumerable.Repeat(fill, size).ToArray());
        return path;
    }

    public string Symlink(string relativePath, string target)
    {
        var path = Path.Combine(Scratch, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>What stat(1) reports (st_dev and st_ino), to compare with nbdmux's own reading.</summary>
    public static FileIdentity IdentityByStat(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d %i", path]) { RedirectStandardOutput = true })!;
        var fields = stat.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.TrimEntries);
        stat.WaitForExit();
        return new FileIdentity(ulong.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    public void Dispose() => Directory.Delete(Scratch, recursive: true);
}
