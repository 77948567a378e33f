using System.Diagnostics;
using Nbdmux.Application.Common;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// nbdmux is the parent of the daemonized nbd-server (a child subreaper): it logs how every
/// listener ended, and reaps the client processes a killed listener leaves behind.
/// </summary>
public sealed class ListenerExitTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Theory]
    [InlineData("SEGV", "killed by SIGSEGV")]
    [InlineData("KILL", "killed by SIGKILL")]
    public async Task A_listener_killed_from_outside_is_logged_with_its_signal_and_restarted(string signal, string described)
    {
        var image = TestImage.Create(Daemon.ImagesDir, $"exit-{signal}.img", seed: 71);
        await Daemon.RegisterAsync($"exit-{signal}", image.Path);
        var killed = Daemon.NbdServerPid()!.Value;
        Assert.Equal(Daemon.Process.Id, NbdmuxDaemon.ParentOf(killed));

        NbdmuxDaemon.Signal(killed, signal);

        await WaitUntilAsync(() => Daemon.NbdServerPid() is { } restarted && restarted != killed && Daemon.Output.Contains($"nbd-server {restarted} listening"));
        await using var client = await Daemon.ConnectAsync($"exit-{signal}");
        var output = Daemon.Output;
        var death = output.IndexOf($"nbd-server {killed} died, {described}", StringComparison.Ordinal);
        Assert.True(death >= 0, $"no line says how nbd-server {killed} ended:\n{output}");
        Assert.True(output.IndexOf($"nbd-server {Daemon.NbdServerPid()} listening", death, StringComparison.Ordinal) > death, "the restart is not logged after the death");
        Assert.DoesNotContain(Daemon.Children(), child => child.Pid == killed);
    }

    [Fact]
    public async Task Client_processes_outliving_restarted_listeners_are_reaped_when_their_clients_leave()
    {
        // Its own daemon: a client process that ends normally is logged at Debug only.
        await using var daemon = new NbdmuxDaemon();
        await daemon.LaunchAsync("--Logging:LogLevel:Nbdmux.Infrastructure.NbdServer.NbdServerReaper=Debug");
        var image = TestImage.Create(daemon.ImagesDir, "outliving.img", seed: 72);
        await daemon.RegisterAsync("outliving", image.Path);
        var holder = await daemon.ConnectAsync("outliving");
        var firstListener = daemon.NbdServerPid()!.Value;
        var holderProcess = await TheOnlyClientProcessAsync(daemon, firstListener);

        for (var name = 0; name < 3; name++)
        {
            await daemon.RegisterAsync($"outliving-new-{name}", image.Path); // a new name: a listener restart
        }

        Assert.NotEqual(firstListener, daemon.NbdServerPid());
        Assert.Contains($"nbd-server {firstListener} stopped listening, killed by SIGKILL as nbdmux restarts it", daemon.Output);
        Assert.Equal(daemon.Process.Id, NbdmuxDaemon.ParentOf(holderProcess));
        Assert.True(TestImage.IsSectorOf(72, 5, await holder.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));

        await holder.DisposeAsync();

        await WaitUntilAsync(() => NbdmuxDaemon.ParentOf(holderProcess) is null);
        await WaitUntilAsync(() => !daemon.Children().Any(child => child.State == 'Z'));
        // The console logger writes on its own thread: the line may follow the reaping by a moment.
        var reaped = $"nbd-server client process {holderProcess} serving .* on export outliving ended, exited with code 0";
        await WaitUntilAsync(() => System.Text.RegularExpressions.Regex.IsMatch(daemon.Output, reaped));
    }

    /// <summary>The client's own nbd-server process: the one besides the listener (nbdmux's proving sessions end by themselves).</summary>
    private static async Task<int> TheOnlyClientProcessAsync(NbdmuxDaemon daemon, int listener)
    {
        int[] others = [];
        await WaitUntilAsync(() => (others = daemon.LiveNbdServers().Where(pid => pid != listener).ToArray()).Length == 1);
        return others[0];
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(5);
        }
    }
}
