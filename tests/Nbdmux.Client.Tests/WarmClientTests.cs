using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Nbdmux.Client.Tests;

/// <summary>WarmAsync, WaitUntilReadyAsync and `nbdmux warm` against the live API, fetching from a local source.</summary>
public sealed class WarmClientTests : IAsyncLifetime
{
    // Random, so that gzip cannot shrink it into a single piece of the slow source.
    private static readonly byte[] Image = RandomImage(3 << 20);
    private static readonly byte[] Packed = Gzip(Image);

    private FakeServer _source = null!;
    private LiveNbdmux _server = null!;

    public async Task InitializeAsync()
    {
        // A slow source: the gzip in 64 KiB pieces, so a waiting client sees the warm advance.
        _source = await FakeServer.StartAsync(async (context, _) =>
        {
            if (context.Request.Path != "/images/disk.img.gz")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.ContentLength = Packed.Length;
            for (var offset = 0; offset < Packed.Length; offset += 64 << 10)
            {
                await context.Response.Body.WriteAsync(Packed.AsMemory(offset, Math.Min(64 << 10, Packed.Length - offset)));
                await context.Response.Body.FlushAsync();
                await Task.Delay(60);
            }
        });
        _server = new LiveNbdmux(warmSource: _source.Address.AbsoluteUri);
    }

    public async Task DisposeAsync()
    {
        _server.Dispose();
        await _source.DisposeAsync();
    }

    private string SourceUrl(string path) => new Uri(_source.Address, path).AbsoluteUri;

    [Fact]
    public async Task WarmAsync_answers_queued_and_WaitUntilReadyAsync_reports_progress_until_ready()
    {
        using var client = new NbdmuxClient(_server.Address);
        var seen = new List<NbdmuxExport>();

        var queued = await client.WarmAsync(new NbdmuxWarmSpec("w1", SourceUrl("images/disk.img.gz")));
        var ready = await client.WaitUntilReadyAsync("w1", new Collect(seen), TimeSpan.FromMilliseconds(100));

        Assert.Equal((true, "queued", "img.gz"), (queued.Created, queued.Export.Status, queued.Export.Format));
        Assert.Equal((NbdmuxExport.Ready, (long)Image.Length, 100.0), (ready.Status, ready.SizeBytes, ready.Progress));
        Assert.Contains(seen, export => export.Status == "fetching" && export.Progress is > 0 and < 100);
        Assert.Equal(Image, await File.ReadAllBytesAsync(ready.File));
    }

    [Fact]
    public async Task WaitUntilReadyAsync_throws_with_the_record_when_the_warm_fails()
    {
        using var client = new NbdmuxClient(_server.Address);
        await client.WarmAsync(new NbdmuxWarmSpec("w2", SourceUrl("images/missing.img")));

        var failed = await Assert.ThrowsAsync<NbdmuxWarmFailedException>(() => client.WaitUntilReadyAsync("w2", pollInterval: TimeSpan.FromMilliseconds(50)));

        Assert.Equal("failed", failed.Export.Status);
        Assert.Contains("answered 404", failed.Message);
    }

    [Fact]
    public async Task Cli_warm_with_wait_draws_the_progress_and_ends_ready()
    {
        var run = await CliRun.RunAsync("--server", _server.Address.ToString(), "warm", "w3", SourceUrl("images/disk.img.gz"), "--wait");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Matches(@"^ready w3: \S+/w3\.img from \S+disk\.img\.gz \(img\.gz, ro\)\n$", run.Out);
        Assert.Contains("\r[", run.Error);
        Assert.Contains("100.0%", run.Error);
    }

    [Fact]
    public async Task Cli_warm_without_wait_answers_queued_and_a_failed_warm_exits_1_saying_why()
    {
        var queued = await CliRun.RunAsync("--server", _server.Address.ToString(), "warm", "w4", SourceUrl("images/missing.img"), "--format", "img");
        var waited = await CliRun.RunAsync("--server", _server.Address.ToString(), "warm", "w5", SourceUrl("images/missing.img"), "--wait");

        Assert.Matches(@"^queued w4: \S+/w4\.img from \S+missing\.img \(img, ro\)\n$", queued.Out);
        Assert.Equal(1, waited.ExitCode);
        Assert.Contains("nbdmux: the warm of w5 failed: ", waited.Error);
        Assert.Contains("answered 404", waited.Error);
    }

    private static byte[] RandomImage(int size)
    {
        var image = new byte[size];
        new Random(14).NextBytes(image);
        return image;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return packed.ToArray();
    }

    private sealed class Collect(List<NbdmuxExport> seen) : IProgress<NbdmuxExport>
    {
        public void Report(NbdmuxExport value) => seen.Add(value);
    }
}
