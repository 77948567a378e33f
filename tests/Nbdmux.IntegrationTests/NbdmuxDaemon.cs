using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// The real nbdmux, run as its own process (as `dotnet Nbdmux.Api.dll`) on free loopback ports
/// with a temporary data dir and, beside it, a temporary image root, driving the real nbd-server.
/// </summary>
public sealed class NbdmuxDaemon : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string _scratch = Directory.CreateTempSubdirectory("nbdmux-it-").FullName;
    private Process? _process;

    /// <param name="dataDir">A data dir the caller owns and cleans up (e.g. on another filesystem); by default one beside the image root.</param>
    /// <param name="backend">The NBD server nbdmux drives (--nbd-backend); null passes no flag, leaving nbdmux to choose (nbdkit where it can run).</param>
    public NbdmuxDaemon(string? dataDir = null, string? backend = Backends.NbdServer)
    {
        Backend = backend ?? Backends.Nbdkit;
        FlaggedBackend = backend;
        Prerequisites.Require(Backend == Backends.Nbdkit ? "nbdkit" : "nbd-server", Backend);
        DataDir = dataDir ?? CreateDirectoryBeside("data");
        ImagesDir = CreateDirectoryBeside("images");
        HttpPort = LoopbackPorts.Free();
        NbdPort = LoopbackPorts.Free();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The NBD server nbdmux runs (--nbd-backend).</summary>
    public string Backend { get; }

    private string? FlaggedBackend { get; }

    public string DataDir { get; }

    /// <summary>The image root, passed as --images-dir unless a launch names image roots itself.</summary>
    public string ImagesDir { get; }
    public int HttpPort { get; }
    public int NbdPort { get; }
    public HttpClient Http { get; }
    public IPEndPoint NbdEndpoint => new(IPAddress.Loopback, NbdPort);
    public string Output { get { lock (_output) { return _output.ToString(); } } }
    public Process Process => _process ?? throw new InvalidOperationException("nbdmux is not started.");

    /// <summary>Environment variables nbdmux starts with, besides this process's own.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public static async Task<NbdmuxDaemon> StartAsync(string backend = Backends.NbdServer)
    {
        var daemon = new NbdmuxDaemon(backend: backend);
        await daemon.LaunchAsync();
        return daemon;
    }

    /// <summary>A new directory beside the data dir and the image root (outside both), deleted with the daemon.</summary>
    public string CreateDirectoryBeside(string name) => Directory.CreateDirectory(Path.Combine(_scratch, name)).FullName;

    /// <summary>Starts nbdmux and waits until /healthz says ok.</summary>
    public async Task LaunchAsync(params string[] extraArgs)
    {
        _process = Spawn(extraArgs);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nbdmux exited with {_process.ExitCode} during start:\n{Output}");
            }

            try
            {
                if ((await Http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"nbdmux did not become healthy in 30 s:\n{Output}");
    }

    /// <summary>Runs nbdmux expecting it to fail at start; returns its exit code and stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> RunExpectingFailureAsync(params string[] extraArgs)
    {
        using var process = Spawn(extraArgs);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, Output);
    }

    /// <summary>As <see cref="RunExpectingFailureAsync"/>, without the --port and --nbd-port flags, which would hide NBDMUX_PORT and NBDMUX_NBD_PORT.</summary>
    public async Task<(int ExitCode, string Stderr)> RunWithoutPortFlagsExpectingFailureAsync()
    {
        using var process = Spawn([], portFlags: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, Output);
    }

    public Task<string> RegisterAsync(string name, string file, bool readOnly = true, string[]? allow = null) =>
        PostAsync(new { name, file, @readonly = readOnly, allow });

    public Task<string> RegisterCopyOnWriteAsync(string name, string file) => PostAsync(new { name, file, copy_on_write = true });

    private async Task<string> PostAsync(object body)
    {
        var response = await Http.PostAsJsonAsync("/exports", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {body} -> {(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The value of an unlabelled metric in GET /metrics.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var line = (await Http.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task RemoveAsync(string name)
    {
        var response = await Http.DeleteAsync($"/exports/{name}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public Task<NbdConnection> ConnectAsync(string export) =>
        NbdClient.ConnectAsync(NbdEndpoint, export, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

    /// <summary>
    /// The pid of the NBD server (nbd-server's listener, or nbdkit), from its pid file (none while
    /// it restarts, or in the instant it is being written).
    /// </summary>
    public int? NbdServerPid()
    {
        var pidFile = Backend == Backends.Nbdkit ? Path.Combine(DataDir, "nbdkit", "nbdkit.pid") : Path.Combine(DataDir, "nbd-server", "nbd-server.pid");
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>SIGKILLs the NBD server (nbd-server's listener, or nbdkit); a restart may be under way, so waits for one to exist.</summary>
    public async Task<int> KillNbdServerAsync()
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (NbdServerPid() is { } pid)
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                    return pid;
                }
                catch (ArgumentException)
                {
                    // a restart replaced it between reading the pid file and the kill
                }
            }

            if (elapsed.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException($"no {Backend} to kill within 5 s:\n{Output}");
            }

            await Task.Delay(5);
        }
    }

    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        while (!(await Http.GetAsync("/healthz")).IsSuccessStatusCode)
        {
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"nbdmux not healthy within {timeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Live NBD server processes started on this data dir (nbd-server's listeners and their
    /// children, or nbdkit, which outlives nbdmux on purpose).
    /// </summary>
    public IReadOnlyList<int> LiveNbdServers()
    {
        var config = Backend == Backends.Nbdkit ? $"dir={Path.Combine(DataDir, "nbdkit")}" : Path.Combine(DataDir, "nbd-server", "config");
        return Directory.EnumerateDirectories("/proc")
            .Select(path => int.TryParse(Path.GetFileName(path), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && IsLive(pid) && ReadOrEmpty($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains(config))
            .ToList();
    }

    /// <summary>nbdmux's child processes, with their state from /proc ('Z': ended, not yet reaped).</summary>
    public IReadOnlyList<(int Pid, char State)> Children() =>
        Directory.EnumerateDirectories("/proc")
            .Select(path => int.TryParse(Path.GetFileName(path), out var pid) ? pid : 0)
            .Select(pid => (Pid: pid, Stat: pid > 0 ? StatFields(pid) : []))
            .Where(process => process.Stat.Length > 1 && process.Stat[1] == $"{Process.Id}")
            .Select(process => (process.Pid, process.Stat[0][0]))
            .ToList();

    /// <summary>The parent of a process, from /proc; null once it is gone (reaped).</summary>
    public static int? ParentOf(int pid) => StatFields(pid) is [_, var parent, ..] ? int.Parse(parent, CultureInfo.InvariantCulture) : null;

    /// <summary>Sends a signal (a name as kill(1) takes it: SEGV, KILL...).</summary>
    public static void Signal(int pid, string signal) => System.Diagnostics.Process.Start("kill", [$"-{signal}", $"{pid}"]).WaitForExit();

    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd or docker stop would send; returns how long the exit took.</summary>
    public async Task<TimeSpan> TerminateAsync()
    {
        var elapsed = Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]).WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Process.WaitForExitAsync(timeout.Token);
        return elapsed.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await TerminateAsync();
        }

        foreach (var pid in LiveNbdServers())
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
        }

        Http.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    private Process Spawn(string[] extraArgs, bool portFlags = true)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Nbdmux.Api.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        var imageRoots = extraArgs.Contains("--images-dir") ? [] : new[] { "--images-dir", ImagesDir };
        var backend = FlaggedBackend is { } flagged ? new[] { "--nbd-backend", flagged } : [];
        var ports = portFlags ? new[] { "--port", $"{HttpPort}", "--nbd-port", $"{NbdPort}" } : [];
        foreach (var arg in new[] { dll, "--data-dir", DataDir, "--bind", "127.0.0.1" }.Concat(ports).Concat(backend).Concat(imageRoots).Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        lock (_output) { _output.Clear(); }
        var process = System.Diagnostics.Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output) { _output.AppendLine(line); }
        }
    }

    /// <summary>/proc/PID/stat after the command name: state, ppid, ... (empty when the process is gone).</summary>
    private static string[] StatFields(int pid)
    {
        var stat = ReadOrEmpty($"/proc/{pid}/stat");
        return stat.Length == 0 ? [] : stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static bool IsLive(int pid)
    {
        var stat = ReadOrEmpty($"/proc/{pid}/stat");
        return stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
    }

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; }
    }

}
