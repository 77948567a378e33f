using System.Diagnostics;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.Nbdkit;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Bench;

/// <summary>The Release build of nbdmux (`dotnet Nbdmux.Api.dll`) on one of its NBD backends, with any further options.</summary>
public sealed class NbdmuxProcess(Daemon backend, string apiDll, string dataDir, string imagesDir, string logPath, params string[] options)
    : DaemonProcess(backend, dataDir, logPath)
{
    protected override ProcessStartInfo StartInfo() => Command("dotnet",
    [
        apiDll, "--data-dir", DataDir, "--port", $"{HttpPort}", "--nbd-port", $"{NbdPort}", "--bind", "127.0.0.1",
        "--images-dir", imagesDir, "--nbd-backend", Daemon.BackendOption(), .. options,
    ]);

    /// <summary>An nbdkit this nbdmux adopted from the one killed before it (the crash-restart figure) is not its child.</summary>
    protected override IEnumerable<(int Pid, long StartTicks)> ServersOutsideItsTree()
    {
        var pidFile = new NbdkitLayout(Path.Combine(DataDir, "nbdkit")).PidFilePath;
        if (Daemon == Daemon.Nbdkit && File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)
            && UnixProcesses.CommandLine(pid).Contains(DataDir, StringComparison.Ordinal) && UnixProcesses.StartTicksOfLiving(pid) is { } startTicks)
        {
            yield return (pid, startTicks);
        }
    }
}
