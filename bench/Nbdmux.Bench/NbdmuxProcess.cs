using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Bench;

/// <summary>
/// The Release build of nbdmux run as its own process on loopback, its log appended to a file.
/// It can be killed (SIGKILL, as a crash) and started again on the same data dir and ports.
/// </summary>
public sealed class NbdmuxProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromMinutes(2);

    private readonly string _apiDll;
    private readonly string _logPath;
    private Process? _process;

    public NbdmuxProcess(string apiDll, string dataDir, string logPath)
    {
        _apiDll = apiDll;
        _logPath = logPath;
        DataDir = dataDir;
        // Beside the data dir: nbdmux refuses to start with an image root inside it.
        ImagesDir = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataDir))!, "images")).FullName;
        HttpPort = LoopbackPorts.Free();
        NbdPort = LoopbackPorts.Free();
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"),
            Timeout = TimeSpan.FromMinutes(1),
        };
    }

    public string DataDir { get; }
    public string ImagesDir { get; }
    public int HttpPort { get; }
    public int NbdPort { get; }
    public HttpClient Http { get; }
    public IPEndPoint NbdEndpoint => new(IPAddress.Loopback, NbdPort);
    public int Pid => _process?.Id ?? throw new InvalidOperationException("nbdmux is not running.");

    /// <summary>Starts nbdmux and returns how long it took until /healthz said ok.</summary>
    public async Task<TimeSpan> StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     _apiDll, "--data-dir", DataDir, "--port", $"{HttpPort}", "--nbd-port", $"{NbdPort}",
                     "--bind", "127.0.0.1", "--images-dir", ImagesDir,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var elapsed = Stopwatch.StartNew();
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var log = new StreamWriter(_logPath, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        while (elapsed.Elapsed < HealthyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nbdmux exited with {_process.ExitCode} during start; see {_logPath}");
            }

            if (await IsHealthyAsync())
            {
                return elapsed.Elapsed;
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"nbdmux was not healthy within {HealthyTimeout}; see {_logPath}");
    }

    /// <summary>SIGKILL, as a crash: nbd-server and its clients are left for the next start to find.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("nbdmux is not running.");
        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    /// <summary>Resident set size from /proc/PID/status (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
    }

    /// <summary>Changes nbdmux refused with 503 (nbd-server could not be brought up in time), each with its reason; each was retried.</summary>
    public List<string> Refusals { get; } = [];

    public Task RegisterAsync(string name, string file) =>
        SendRetryingRefusalsAsync(() => Http.PostAsJsonAsync("/exports", new { name, file, @readonly = true }), $"POST {name}");

    /// <summary>Removes an export once nobody uses it (not even the session nbdmux opened to prove it, which ends a moment later).</summary>
    public async Task RemoveAsync(string name)
    {
        await WaitUntilUnusedAsync(name);
        await SendRetryingRefusalsAsync(() => Http.DeleteAsync($"/exports/{name}"), $"DELETE {name}");
    }

    /// <summary>Waits until nbdmux counts no connection to the export (an unknown name has none).</summary>
    public async Task WaitUntilUnusedAsync(string name)
    {
        var elapsed = Stopwatch.StartNew();
        while (await ConnectionCountAsync(name) > 0)
        {
            if (elapsed.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"nbdmux still counts a connection to {name} after 10 s");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>SIGTERM: nbdmux stops its nbd-server listener and exits.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            UnixProcesses.Signal(process.Id, SigTerm);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }

        _process?.Dispose();
        Http.Dispose();
    }

    private async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task<int> ConnectionCountAsync(string name)
    {
        using var response = await Http.GetAsync($"/exports/{name}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ExportRecord>())!.ConnectionCount;
    }

    private sealed record ExportRecord([property: JsonPropertyName("connection_count")] int ConnectionCount);

    /// <summary>
    /// A 503 means nbdmux changed nothing and is bringing nbd-server back: it is recorded and the
    /// request sent again (as a provisioning client would), so one refusal does not end the run.
    /// </summary>
    private async Task SendRetryingRefusalsAsync(Func<Task<HttpResponseMessage>> send, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await send();
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body}");
            }

            Refusals.Add($"{what}: {body}");
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
        }
    }
}
