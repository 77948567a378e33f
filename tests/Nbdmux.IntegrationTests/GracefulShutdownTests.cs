using System.Diagnostics;
using System.Net.Http.Json;

namespace Nbdmux.IntegrationTests;

/// <summary>SIGTERM during a change: the change's caller gets an answer, booted machines keep their disks.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_during_a_listener_restart_answers_the_request_exits_cleanly_and_leaves_connected_clients_reading()
    {
        await using var daemon = await NbdmuxDaemon.StartAsync();
        var held = TestImage.Create(daemon.ImagesDir, "held.img", seed: 41);
        var added = TestImage.Create(daemon.ImagesDir, "added.img", seed: 42);
        await daemon.RegisterAsync("held", held.Path);
        await using var booted = await daemon.ConnectAsync("held");
        var listener = daemon.NbdServerPid();

        // A new name needs a listener restart; SIGTERM goes out once the old listener is gone.
        var change = daemon.Http.PostAsJsonAsync("/exports", new { name = "added", file = added.Path });
        var restarting = Stopwatch.StartNew();
        while (daemon.NbdServerPid() == listener && !change.IsCompleted && restarting.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(1);
        }

        Assert.False(change.IsCompleted, "the change finished before SIGTERM could be sent while it was in flight");
        var exit = daemon.TerminateAsync();
        var response = await change;
        var took = await exit;

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"in-flight change answered {(int)response.StatusCode}: {body}");
        Assert.True(took < TimeSpan.FromSeconds(5), $"exit took {took.TotalMilliseconds} ms");
        Assert.Equal(0, daemon.Process.ExitCode);
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => daemon.ConnectAsync("held"));
        for (var sector = 0; sector < 8; sector++)
        {
            Assert.True(TestImage.IsSectorOf(41, sector, await booted.ReadAsync((long)sector * TestImage.SectorSize, TestImage.SectorSize, default)));
        }
    }
}
