using System.Diagnostics;
using System.Globalization;

namespace Nbdmux.Testing;

public static class DiskUsage
{
    /// <summary>The bytes the file takes on disk, as stat(1) reports them: what holes save, measured outside nbdmux's own code.</summary>
    public static long AllocatedBytes(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var fields = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        if (stat.ExitCode != 0)
        {
            throw new IOException($"stat -c '%b %B' {path} exited with {stat.ExitCode}");
        }

        return long.Parse(fields[0], CultureInfo.InvariantCulture) * long.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
