using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Nbdmux.Infrastructure.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>Guarantee 6: nbd-server is kept alive, and nbdmux is healthy with no exports at all.</summary>
public sealed class SupervisionTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task With_no_exports_nbdmux_is_healthy_and_its_nbd_port_answers()
    {
        await using var fresh = await NbdmuxDaemon.StartAsync();

        Assert.Equal("ok", await fresh.Http.GetStringAsync("/healthz"));
        Assert.Equal("[]", await fresh.Http.GetStringAsync("/exports"));
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => fresh.ConnectAsync("anything"));
        Assert.True(refusal.IsUnknownExport);
    }

    [Fact]
    public async Task A_killed_nbd_server_is_restarted_and_serves_every_export_again_within_a_second()
    {
        var first = TestImage.Create(Daemon.ImagesDir, "s1.img", seed: 61);
        var second = TestImage.Create(Daemon.ImagesDir, "s2.img", seed: 62);
        await Daemon.RegisterAsync("s1", first.Path);
        await Daemon.RegisterAsync("s2", second.Path);
        await using var holder = await Daemon.ConnectAsync("s1");
        var killed = Daemon.NbdServerPid()!.Value;

        Process.GetProcessById(killed).Kill();
        var sinceKill = Stopwatch.StartNew();

        var sawUnhealthy = false;
        while (sinceKill.Elapsed < TimeSpan.FromSeconds(1) && !sawUnhealthy)
        {
            sawUnhealthy = (await Daemon.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable;
        }

        Assert.True(sawUnhealthy, "/healthz never reported nbd-server down");
        await WaitUntilServedAsync("s1", "s2");
        Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(1), $"exports were back only after {sinceKill.ElapsedMilliseconds} ms");
        await WaitUntilAsync(async () => (await Daemon.Http.GetAsync("/healthz")).IsSuccessStatusCode);
        Assert.NotEqual(killed, Daemon.NbdServerPid());
        Assert.True(TestImage.IsSectorOf(61, 3, await holder.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    [Fact]
    public async Task Repeated_kills_are_survived()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "s3.img", seed: 63);
        await Daemon.RegisterAsync("s3", image.Path);

        for (var kill = 0; kill < 3; kill++)
        {
            var pid = Daemon.NbdServerPid()!.Value;
            Process.GetProcessById(pid).Kill();
            await WaitUntilAsync(() => Daemon.NbdServerPid() is { } restarted && restarted != pid);
            await WaitUntilServedAsync("s3");
        }
    }

    [Fact]
    public async Task A_listener_killed_while_a_change_restarts_it_is_brought_back()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "s4.img", seed: 64);
        var before = Daemon.NbdServerPid()!.Value;

        // A new name restarts the listener; kill the new one while it is still starting up.
        var registering = Daemon.Http.PostAsJsonAsync("/exports", new { name = "s4", file = image.Path, @readonly = true });
        int? starting = null;
        await WaitUntilAsync(() => (starting = Daemon.NbdServerPid()) is { } pid && pid != before);
        Process.GetProcessById(starting!.Value).Kill();
        await registering;

        await WaitUntilAsync(async () => (await Daemon.Http.PostAsJsonAsync("/exports", new { name = "s4", file = image.Path, @readonly = true })).IsSuccessStatusCode);
        await WaitUntilServedAsync("s4");
    }

    private async Task WaitUntilServedAsync(params string[] exports)
    {
        foreach (var export in exports)
        {
            await WaitUntilAsync(async () =>
            {
                try
                {
                    await using var connection = await Daemon.ConnectAsync(export);
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
