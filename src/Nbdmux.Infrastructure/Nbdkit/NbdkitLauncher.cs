using System.Diagnostics;
using Nbdmux.Application.Common;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>A running nbdkit that an earlier nbdmux started on this data dir.</summary>
/// <param name="SameCommand">Started with exactly the command this nbdmux would run: the same build, address and port.</param>
public sealed record FoundServer(int Pid, ProcessHandle Handle, DateTimeOffset Since, bool SameCommand);

/// <summary>Starts, finds and kills the one nbdkit process that serves this data dir.</summary>
public sealed class NbdkitLauncher(NbdkitCommand command, NbdkitLayout layout, NbdkitLog log, TimeProvider time)
{
    /// <summary>nbdkit writes its pid file once it listens, milliseconds after it starts.</summary>
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs nbdkit in a session of its own, so that no signal to nbdmux's process group (a
    /// terminal's Ctrl-C) reaches it, with its output appended to the log: it outlives nbdmux, so
    /// it must not hold nbdmux's. setsid and the shell exec in turn, so the child is nbdkit itself.
    /// nbdkit 1.32 arms SIGTERM for when its parent ends (PR_SET_PDEATHSIG); the plugin disarms it
    /// as it loads, or nbdkit would end with nbdmux, and even with the nbdmux thread that started it.
    /// </summary>
    private const string LoggedExec = "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1";

    /// <summary>
    /// Starts nbdkit and returns once it listens, with its <see cref="Process"/>, which will tell
    /// how it ended.
    /// </summary>
    /// <exception cref="NbdServerStartException">nbdkit or the plugin is missing, or nbdkit ended at once.</exception>
    public async Task<(ServerProcess Server, Process Child)> LaunchAsync(CancellationToken cancellationToken)
    {
        var arguments = command.Arguments ?? throw new NbdServerStartException(command.Problem!);
        File.Delete(layout.PidFilePath);
        log.SkipToEnd();
        var start = new ProcessStartInfo("setsid") { ArgumentList = { "/bin/sh", "-c", LoggedExec, "sh", layout.LogPath } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var child = Process.Start(start) ?? throw new NbdServerStartException("Could not start setsid to run nbdkit.");
        // nbdkit writes its pid file once it listens.
        var listening = await time.UntilAsync(() => child.HasExited || ReadPid() == child.Id, ListenTimeout, cancellationToken);
        if (child.HasExited || !listening)
        {
            var output = string.Join(" / ", log.ReadNewLines());
            var outcome = child.HasExited ? Describe(child) : $"did not listen within {ListenTimeout.TotalSeconds} s";
            child.Kill();
            child.Dispose();
            throw new NbdServerStartException($"nbdkit {outcome}: {(output.Length > 0 ? output : "it said nothing")}");
        }

        var handle = ProcessHandle.Open(child.Id) ?? throw new NbdServerStartException($"nbdkit {child.Id} ended right after it started listening.");
        return (new ServerProcess(handle, time.GetUtcNow()), child);
    }

    /// <summary>The nbdkit serving this data dir according to its pid file, if it still runs.</summary>
    public FoundServer? FindRunning()
    {
        if (ReadPid() is not { } pid || ProcessHandle.Open(pid) is not { } handle)
        {
            return null;
        }

        var arguments = CommandLine(pid);
        // Read after opening the handle: if the process is still alive now, the command line was its own.
        if (handle.HasExited || !arguments.Contains($"dir={layout.Root}"))
        {
            handle.Dispose();
            return null;
        }

        var since = new DateTimeOffset(File.GetLastWriteTimeUtc(layout.PidFilePath), TimeSpan.Zero);
        return new FoundServer(pid, handle, since, command.Arguments is { } expected && arguments.SequenceEqual(expected));
    }

    /// <summary>SIGKILL, and back once it has ended.</summary>
    /// <exception cref="NbdServerStartException">It survived.</exception>
    public static async Task KillAsync(ProcessHandle process)
    {
        process.Kill();
        if (!await process.WaitForExitAsync(KillTimeout))
        {
            throw new NbdServerStartException($"nbdkit {process.Pid} survived SIGKILL for {KillTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// How a child ended. .NET reports death by a signal as 128 + the signal, which nbdkit never
    /// exits with on its own.
    /// </summary>
    public static string Describe(Process child)
    {
        // Its pidfd reports the end a moment before .NET has collected it.
        if (!child.WaitForExit(KillTimeout))
        {
            return "has not exited";
        }

        var status = child.ExitCode > 128 ? new ExitStatus(null, child.ExitCode - 128, false) : new ExitStatus(child.ExitCode, null, false);
        return status.ToString();
    }

    private int? ReadPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(layout.PidFilePath).Trim(), out var pid) ? pid : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static string[] CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
