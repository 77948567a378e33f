using System.Diagnostics;
using System.Globalization;

namespace Nbdmux.Bench;

/// <summary>What the numbers were measured on, read from /proc.</summary>
public static class Machine
{
    public static string Cpu() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    public static int Cores => Environment.ProcessorCount;

    public static double MemoryGiB() =>
        long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;

    public static string Kernel() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The python3 that runs nbdmux 0.2.1, as `python3 --version` says.</summary>
    public static string PythonVersion() => Run("python3", "--version") ?? "python3 not found";

    public static string PackageVersion(string package) => Run("dpkg-query", "-W", "-f=${Version}", package) ?? "not installed";

    private static string? Run(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
