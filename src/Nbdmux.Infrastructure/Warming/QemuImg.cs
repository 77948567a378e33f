using System.Diagnostics;
using System.Text.Json;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>Turns a fetched qcow2 image into a raw one with qemu-img.</summary>
public static class QemuImg
{
    /// <summary>
    /// Converts <paramref name="qcow2"/> into a new raw file at <paramref name="raw"/> (holes kept).
    /// A qcow2 that names a backing or external data file is refused: qemu-img would read that
    /// file from nbdmux's host into the image.
    /// </summary>
    public static async Task ConvertToRawAsync(string qcow2, string raw, CancellationToken cancellationToken)
    {
        var qemuImg = ExecutableSearch.Find("qemu-img")
            ?? throw new WarmSourceException("qcow2 needs qemu-img, which is not installed on the nbdmux host (apt-get install qemu-utils)", transient: false);
        var info = await RunAsync(qemuImg, ["info", "--output=json", "-f", "qcow2", qcow2], cancellationToken);
        using (var json = JsonDocument.Parse(info))
        {
            var root = json.RootElement;
            if (root.TryGetProperty("backing-filename", out var backing))
            {
                throw new WarmSourceException($"the qcow2 image names a backing file ({backing}); only self-contained images can be warmed", transient: false);
            }

            if (root.TryGetProperty("format-specific", out var specific) && specific.TryGetProperty("data", out var data) && data.TryGetProperty("data-file", out _))
            {
                throw new WarmSourceException("the qcow2 image keeps its data in an external file; only self-contained images can be warmed", transient: false);
            }
        }

        await RunAsync(qemuImg, ["convert", "-q", "-f", "qcow2", "-O", "raw", "-S", "4k", qcow2, raw], cancellationToken);
    }

    private static async Task<string> RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new WarmSourceException($"could not start {program}", transient: false);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        return process.ExitCode == 0
            ? await output
            : throw new WarmSourceException($"qemu-img {arguments[0]} failed ({process.ExitCode}): {(await errors).Trim()}", transient: false);
    }
}
