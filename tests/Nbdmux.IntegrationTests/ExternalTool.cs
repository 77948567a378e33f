using System.Diagnostics;

namespace Nbdmux.IntegrationTests;

/// <summary>Runs a command-line tool (nbdcopy, nbdinfo, ...) to completion, as a lab's script would.</summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
