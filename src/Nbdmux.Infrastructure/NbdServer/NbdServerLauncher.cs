using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nbdmux.Application.Common;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>Starts and stops the nbd-server daemon for one data dir.</summary>
public sealed class NbdServerLauncher(
    string binaryPath, NbdServerLayout layout, NbdServerPreload preload, TimeProvider time, ILogger<NbdServerLauncher> logger)
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PidFileSpin = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Runs `nbd-server -C config -p pidfile`. It daemonizes and its launcher exits 0 before the
    /// daemon binds the port, so the daemon may still die (e.g. port in use): callers probe it.
    /// </summary>
    public async Task<ServerProcess> LaunchAsync(CancellationToken cancellationToken)
    {
        File.Delete(layout.PidFilePath);
        var start = new ProcessStartInfo(binaryPath, ["-C", layout.ConfigPath, "-p", layout.PidFilePath])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        if (preload.LibraryPath is { } library)
        {
            start.Environment["LD_PRELOAD"] = library;
        }

        using var launcher = Process.Start(start) ?? throw new NbdServerStartException($"Could not start {binaryPath}.");
        var stderr = launcher.StandardError.ReadToEndAsync(cancellationToken);
        await launcher.WaitForExitAsync(cancellationToken);
        if (launcher.ExitCode != 0)
        {
            throw new NbdServerStartException(
                $"nbd-server exited with code {launcher.ExitCode}: {(await stderr).Trim()}");
        }

        // The daemon writes its pid file microseconds after its launcher exits: spinning briefly
        // finds it at once, where a timer would add a millisecond or two to every restart.
        SpinWait.SpinUntil(() => File.Exists(layout.PidFilePath), PidFileSpin);
        int? pid = null;
        if (await time.UntilAsync(() => (pid = TryReadPid()) is not null, ExitWait, cancellationToken))
        {
            if (ProcessHandle.Open(pid!.Value) is { HasExited: false } process)
            {
                return new ServerProcess(process, time.GetUtcNow());
            }

            throw new NbdServerStartException(
                $"nbd-server daemonized but {UnixProcesses.Reap(pid.Value) ?? ExitStatus.Unknown} at once (is the NBD port in use? its reason is in syslog)");
        }

        throw new NbdServerStartException($"nbd-server wrote no pid file within {ExitWait.TotalSeconds} s.");
    }

    /// <summary>Says once, at start-up, whether listener restarts will be fast.</summary>
    public void LogStartCost()
    {
        if (preload.LibraryPath is { } library)
        {
            logger.LogInformation(
                "nbd-server starts with {Preload} preloaded: it skips generating TLS DH parameters (nbdmux configures no TLS), so a new export name costs milliseconds",
                library);
        }
        else
        {
            logger.LogWarning(
                "{Preload} is missing beside nbdmux (it is built only where a C compiler is installed): every nbd-server start generates DH parameters, so each new export name waits for that generation",
                NbdServerPreload.FileName);
        }
    }

    /// <summary>
    /// SIGKILL, never SIGTERM: SIGKILL ends only the listening parent, so clients already
    /// connected keep being served by their own child processes. Returns once it has ended; the
    /// caller collects it (<see cref="NbdServerReaper"/>).
    /// </summary>
    public static async Task StopListeningAsync(ServerProcess server)
    {
        if (server.HasExited)
        {
            return;
        }

        server.Process.Kill();
        if (!await server.WaitForExitAsync(ExitWait))
        {
            throw new NbdServerStartException($"nbd-server {server.Pid} survived SIGKILL for {ExitWait.TotalSeconds} s.");
        }
    }

    /// <summary>An nbd-server that an earlier nbdmux on this data dir left running, if any.</summary>
    public ServerProcess? FindLeftover()
    {
        if (TryReadPid() is not { } pid || ProcessHandle.Open(pid) is not { } process)
        {
            return null;
        }

        // Read after opening the handle: if the process is still alive now, the command line was its own.
        if (UnixProcesses.CommandLine(pid).Contains(layout.ConfigPath, StringComparison.Ordinal) && !process.HasExited)
        {
            return new ServerProcess(process, process.StartedAt);
        }

        process.Dispose();
        return null;
    }

    private int? TryReadPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(layout.PidFilePath).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
