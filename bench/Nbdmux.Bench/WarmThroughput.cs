using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Nbdmux.Bench;

/// <summary>
/// Warm throughput (8a-8c): a zstd-packed image served over loopback by <c>python3 -m http.server</c>,
/// fetched, unpacked and landed by nbdmux's warm (POST until the record says ready), against
/// <c>curl URL | zstd -d &gt; file</c> on the same file from the same server, in alternating order.
/// </summary>
public sealed class WarmThroughput : IAsyncDisposable
{
    private const int SegmentBytes = 1 << 20;
    private readonly string _sourceDir;
    private readonly Process _server;
    private readonly int _port = LoopbackPorts.Free();

    private WarmThroughput(string sourceDir, long imageBytes)
    {
        _sourceDir = sourceDir;
        ImageBytes = imageBytes;
        _server = Process.Start(new ProcessStartInfo("python3", ["-m", "http.server", $"{_port}", "--bind", "127.0.0.1", "--directory", sourceDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start python3 -m http.server");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
    }

    public long ImageBytes { get; }

    /// <summary>The prefix nbdmux must be allowed to fetch from (--warm-source).</summary>
    public string ServerBase => $"http://127.0.0.1:{_port}/";

    public string Url => ServerBase + "warm.img.zst";

    /// <summary>
    /// Makes an image like a disk's (a quarter zeros, a quarter random, half bytes zstd packs to
    /// about half), packs it with <c>zstd -3</c>, and serves it.
    /// </summary>
    public static async Task<WarmThroughput> StartAsync(string workDir, long imageBytes)
    {
        var sourceDir = Directory.CreateDirectory(Path.Combine(workDir, "warm-source")).FullName;
        var raw = Path.Combine(sourceDir, "warm.img");
        await using (var file = new FileStream(raw, FileMode.Create, FileAccess.Write, FileShare.None, SegmentBytes))
        {
            var segment = new byte[SegmentBytes];
            for (long offset = 0, index = 0; offset < imageBytes; offset += SegmentBytes, index++)
            {
                Array.Clear(segment);
                if (index % 4 == 1)
                {
                    Random.Shared.NextBytes(segment);
                }
                else if (index % 4 >= 2)
                {
                    Random.Shared.NextBytes(segment);
                    for (var i = 0; i < segment.Length; i++)
                    {
                        segment[i] &= 0x0f;
                    }
                }

                await file.WriteAsync(segment.AsMemory(0, (int)Math.Min(SegmentBytes, imageBytes - offset)));
            }
        }

        await RunAsync("zstd", ["-q", "-3", "-T0", "--rm", raw, "-o", raw + ".zst"]);
        var bench = new WarmThroughput(sourceDir, imageBytes);
        using var http = new HttpClient();
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            try
            {
                using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, bench.Url));
                if (head.IsSuccessStatusCode)
                {
                    return bench;
                }
            }
            catch (HttpRequestException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
            }
        }
    }

    /// <summary>Seconds for <c>curl -sSf URL | zstd -d -q &gt; OUTPUT</c>, as an operator fetches an image by hand.</summary>
    public async Task<double> CurlZstdAsync(string output)
    {
        var elapsed = Stopwatch.StartNew();
        await RunAsync("bash", ["-o", "pipefail", "-c", $"curl -sSf '{Url}' | zstd -d -q > '{output}'"]);
        var seconds = elapsed.Elapsed.TotalSeconds;
        File.Delete(output);
        return seconds;
    }

    /// <summary>Seconds from the POST of a warm of the image until its record says ready; the export is removed afterwards.</summary>
    public async Task<double> WarmAsync(DaemonProcess nbdmux, string name)
    {
        var elapsed = Stopwatch.StartNew();
        using (var posted = await nbdmux.Api.Http.PostAsJsonAsync("/exports", new { name, src_url = Url }))
        {
            posted.EnsureSuccessStatusCode();
        }

        while (true)
        {
            var record = (await nbdmux.Api.Http.GetFromJsonAsync<JsonObject>($"/exports/{name}"))!;
            var status = (string?)record["status"];
            if (status == "ready")
            {
                break;
            }

            if (status == "failed")
            {
                throw new InvalidOperationException($"the warm of {name} failed: {record["error"]}");
            }

            await Task.Delay(10);
        }

        var seconds = elapsed.Elapsed.TotalSeconds;
        await nbdmux.Api.RemoveAsync(name);
        return seconds;
    }

    public async ValueTask DisposeAsync()
    {
        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
        Directory.Delete(_sourceDir, recursive: true);
    }

    private static async Task RunAsync(string program, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {program}");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {errors}");
        }
    }
}
