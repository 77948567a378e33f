using System.Diagnostics;

namespace Nbdmux.Bench;

/// <summary>
/// Whole-image reads with nbdcopy into null: (no destination cost). --no-extents makes every
/// server send every byte: nbdkit would otherwise report extents that nbd-server cannot.
/// </summary>
public static class NbdcopyReaders
{
    /// <summary>Starts <paramref name="readers"/> copies of the image at once; returns MiB/s summed over them.</summary>
    public static async Task<double> MebibytesPerSecondAsync(string uri, long imageBytes, int readers)
    {
        var elapsed = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, readers).Select(_ => CopyAsync(uri)));
        return readers * imageBytes / (1024.0 * 1024.0) / elapsed.Elapsed.TotalSeconds;
    }

    private static async Task CopyAsync(string uri)
    {
        var start = new ProcessStartInfo("nbdcopy", ["--no-extents", uri, "null:"]) { RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start nbdcopy.");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nbdcopy {uri} exited with {process.ExitCode}: {await stderr}");
        }
    }
}
