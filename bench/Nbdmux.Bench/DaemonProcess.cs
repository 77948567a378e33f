using System.Diagnostics;
using System.Globalization;
using System.Net;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Bench;

/// <summary>
/// A daemon under test run as its own process on loopback with free ports, its output appended
/// to a log file. It can be killed (SIGKILL, as a crash) and started again on the same data dir
/// and ports.
/// </summary>
public abstract class DaemonProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromMinutes(2);
    private Process? _process;

    protected DaemonProcess(Daemon daemon, string dataDir, string logPath)
    {
        Daemon = daemon;
        DataDir = dataDir;
        LogPath = logPath;
        HttpPort = LoopbackPorts.Free();
        NbdPort = LoopbackPorts.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{HttpPort}");
        Api = ExportsApi.Pooled(baseAddress);
        FreshConnectionApi = ExportsApi.ConnectionPerRequest(baseAddress);
    }

    public Daemon Daemon { get; }
    public string DataDir { get; }
    public string LogPath { get; }
    public int HttpPort { get; }
    public int NbdPort { get; }
    public IPEndPoint NbdEndpoint => new(IPAddress.Loopback, NbdPort);
    public int Pid => _process?.Id ?? throw new InvalidOperationException($"{Daemon.Title()} is not running.");

    /// <summary>Requests over kept-alive connections.</summary>
    public ExportsApi Api { get; }

    /// <summary>Requests each on a new TCP connection, as curl makes them.</summary>
    public ExportsApi FreshConnectionApi { get; }

    /// <summary>Starts the daemon and returns how long it took until /healthz answered 200.</summary>
    public async Task<TimeSpan> StartAsync()
    {
        var start = StartInfo();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var elapsed = Stopwatch.StartNew();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        while (elapsed.Elapsed < HealthyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Daemon.Title()} exited with {_process.ExitCode} during start; see {LogPath}");
            }

            if (await Api.IsHealthyAsync())
            {
                return elapsed.Elapsed;
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"{Daemon.Title()} was not healthy within {HealthyTimeout}; see {LogPath}");
    }

    /// <summary>Whether the daemon, called <paramref name="who"/>, answered every change the harness sent it, or what it refused.</summary>
    public string DescribeRefusals(string who)
    {
        var refusals = Api.Refusals.Concat(FreshConnectionApi.Refusals).ToList();
        return refusals.Count == 0
            ? $"{who} answered every change (no 503, no connection closed without an answer)."
            : $"{who} refused {refusals.Count} change(s) with 503 or closed the connection without an answer; the harness sent each again, " +
              $"and the retry's time counts in the figure the change belonged to: {string.Join(" | ", refusals.Take(5))}";
    }

    /// <summary>SIGKILL, as a crash: its NBD server and clients are left for the next start to find.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{Daemon.Title()} is not running.");
        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    /// <summary>Resident set size from /proc/PID/status (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// SIGTERM, SIGKILL if the daemon has not exited within <see cref="StopTimeout"/>; then the
    /// processes it started and left running (nbdkit waits to be adopted by the next nbdmux, an
    /// nbd-server client process serves its client to the end) are ended too.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            var leftBehind = Descendants(process.Id).Concat(ServersOutsideItsTree()).Distinct().ToList();
            UnixProcesses.Signal(process.Id, SigTerm);
            using var deadline = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }

            // Before waiting for the killed daemon's output to end: a child may hold its pipes.
            await EndAsync(leftBehind);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        Api.Dispose();
        FreshConnectionApi.Dispose();
        GC.SuppressFinalize(this);
    }

    protected virtual TimeSpan StopTimeout => TimeSpan.FromSeconds(10);

    protected abstract ProcessStartInfo StartInfo();

    /// <summary>Processes serving for the daemon that are not its descendants (one it adopted after a restart), with their start times.</summary>
    protected virtual IEnumerable<(int Pid, long StartTicks)> ServersOutsideItsTree() => [];

    protected static ProcessStartInfo Command(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static IEnumerable<(int Pid, long StartTicks)> Descendants(int pid)
    {
        foreach (var child in Children(pid))
        {
            if (UnixProcesses.StartTicksOfLiving(child) is { } startTicks)
            {
                yield return (child, startTicks);
                foreach (var descendant in Descendants(child))
                {
                    yield return descendant;
                }
            }
        }
    }

    private static List<int> Children(int pid)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse)
                .ToList();
        }
        catch (IOException)
        {
            return []; // it has just ended
        }
    }

    private static async Task EndAsync(IEnumerable<(int Pid, long StartTicks)> processes)
    {
        foreach (var (pid, startTicks) in processes)
        {
            // The start time tells a survivor from an unrelated process that reused its pid.
            if (UnixProcesses.StartTicksOfLiving(pid) == startTicks)
            {
                UnixProcesses.Signal(pid, UnixProcesses.SigKill);
                while (UnixProcesses.StartTicksOfLiving(pid) == startTicks)
                {
                    await Task.Delay(5);
                }
            }
        }
    }
}
