using System.Diagnostics;

namespace Nbdmux.Bench;

/// <summary>
/// The Python nbdmux 0.2.1, run as ../shared/reference/README.md says. It answers a POST once
/// it has written nbd-server's config and sent it SIGHUP, without checking that the export
/// negotiates; it starts nbd-server at the first export.
/// </summary>
public sealed class ReferenceProcess(string sourceDir, string dataDir, string logPath)
    : DaemonProcess(Daemon.Reference, dataDir, logPath)
{
    /// <summary>The reference's Python package directory (its src/), or why it cannot be run.</summary>
    public static (string? SourceDir, string? Problem) Locate(string referenceDir)
    {
        var source = Path.Combine(referenceDir, "src");
        return File.Exists(Path.Combine(source, "nbdmux", "server.py"))
            ? (source, null)
            : (null, $"not measured: reference not found ({Path.GetFullPath(referenceDir)})");
    }

    /// <summary>0.2.1 never exits on SIGTERM (its handler calls httpd.shutdown() on the thread that runs serve_forever, and waits for itself); it has stopped nbd-server by then.</summary>
    protected override TimeSpan StopTimeout => TimeSpan.FromSeconds(1);

    protected override ProcessStartInfo StartInfo()
    {
        var start = Command("python3",
            ["-m", "nbdmux.server", "--data-dir", DataDir, "--port", $"{HttpPort}", "--nbd-port", $"{NbdPort}", "--bind", "127.0.0.1"]);
        start.Environment["PYTHONPATH"] = sourceDir;
        return start;
    }
}
