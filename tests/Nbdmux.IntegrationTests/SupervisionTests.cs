using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Nbdmux.Application.Common;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>Guarantee 6: nbd-server is kept alive, and nbdmux is healthy with no exports at all.</summary>
public sealed class SupervisionTests(BackendDaemons daemons) : IClassFixture<BackendDaemons>
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task With_no_exports_nbdmux_is_healthy_and_its_nbd_port_answers(string backend)
    {
        var daemon = await daemons.For(backend);
        await using var fresh = await NbdmuxDaemon.StartAsync();

        Assert.Equal("ok", await fresh.Http.GetStringAsync("/healthz"));
        Assert.Equal("[]", await fresh.Http.GetStringAsync("/exports"));
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => fresh.ConnectAsync("anything"));
        Assert.True(refusal.IsUnknownExport);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_killed_nbd_server_is_restarted_and_serves_every_export_again_within_a_second(string backend)
    {
        var daemon = await daemons.For(backend);
        var first = TestImage.Create(daemon.ImagesDir, "s1.img", seed: 61);
        var second = TestImage.Create(daemon.ImagesDir, "s2.img", seed: 62);
        await daemon.RegisterAsync("s1", first.Path);
        await daemon.RegisterAsync("s2", second.Path);
        await using var holder = await daemon.ConnectAsync("s1");
        var killed = daemon.NbdServerPid()!.Value;

        Process.GetProcessById(killed).Kill();
        var sinceKill = Stopwatch.StartNew();

        var sawUnhealthy = false;
        while (sinceKill.Elapsed < TimeSpan.FromSeconds(1) && !sawUnhealthy)
        {
            sawUnhealthy = (await daemon.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable;
        }

        Assert.True(sawUnhealthy, "/healthz never reported nbd-server down");
        await WaitUntilServedAsync(daemon, "s1", "s2");
        Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(1), $"exports were back only after {sinceKill.ElapsedMilliseconds} ms");
        await WaitUntilAsync(async () => (await daemon.Http.GetAsync("/healthz")).IsSuccessStatusCode);
        Assert.NotEqual(killed, daemon.NbdServerPid());
        if (backend == Backends.NbdServer)
        {
            // Its own process served the held client, and still does.
            Assert.True(TestImage.IsSectorOf(61, 3, await holder.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
        }
        else
        {
            // One process served every client: the held connection died with it, and a client
            // that reconnects (nbd-client -persist, QEMU's reconnect-delay) is served at once.
            await Assert.ThrowsAnyAsync<Exception>(() => holder.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default));
            await using var reconnected = await daemon.ConnectAsync("s1");
            Assert.True(TestImage.IsSectorOf(61, 3, await reconnected.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Repeated_kills_are_survived(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "s3.img", seed: 63);
        await daemon.RegisterAsync("s3", image.Path);

        for (var kill = 0; kill < 3; kill++)
        {
            var pid = daemon.NbdServerPid()!.Value;
            Process.GetProcessById(pid).Kill();
            await WaitUntilAsync(() => daemon.NbdServerPid() is { } restarted && restarted != pid);
            await WaitUntilServedAsync(daemon, "s3");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_server_that_is_alive_but_stopped_answering_is_replaced(string backend)
    {
        await using var daemon = new NbdmuxDaemon(backend: backend);
        await daemon.LaunchAsync();
        var image = TestImage.Create(daemon.ImagesDir, "stopped.img", seed: 64);
        await daemon.RegisterAsync("stopped", image.Path);
        var stopped = daemon.NbdServerPid()!.Value;

        NbdmuxDaemon.Signal(stopped, "STOP");

        await Eventually.TrueAsync(() => daemon.NbdServerPid() is { } pid && pid != stopped, TimeSpan.FromSeconds(10), "a new server");
        await WaitUntilServedAsync(daemon, "stopped");
        Assert.Contains("did not answer an NBD handshake", daemon.Output);
    }

    [Theory]
    [InlineData(Backends.NbdServer)]
    public async Task A_listener_killed_while_a_change_restarts_it_is_brought_back(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "s4.img", seed: 64);
        var before = daemon.NbdServerPid()!.Value;

        // A new name restarts the listener; kill the new one while it is still starting up.
        var registering = daemon.Http.PostAsJsonAsync("/exports", new { name = "s4", file = image.Path, @readonly = true });
        int? starting = null;
        await WaitUntilAsync(() => (starting = daemon.NbdServerPid()) is { } pid && pid != before);
        Process.GetProcessById(starting!.Value).Kill();
        await registering;

        await WaitUntilAsync(async () => (await daemon.Http.PostAsJsonAsync("/exports", new { name = "s4", file = image.Path, @readonly = true })).IsSuccessStatusCode);
        await WaitUntilServedAsync(daemon, "s4");
    }

    private static async Task WaitUntilServedAsync(NbdmuxDaemon daemon, params string[] exports)
    {
        foreach (var export in exports)
        {
            await WaitUntilAsync(async () =>
            {
                try
                {
                    await using var connection = await daemon.ConnectAsync(export);
                    return true;
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    return false;
                }
            });
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(5);
        }
    }
}
