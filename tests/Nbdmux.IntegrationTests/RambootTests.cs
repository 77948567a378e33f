using System.Diagnostics;
using Nbdmux.Testing;
using Xunit.Abstractions;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// End to end as a real target boots: scripts/demo-ramboot.sh registers a root image, and a QEMU
/// guest (TCG, tests/vm) boots with the record's kernel command line: initramfs-tools' init,
/// Debian's nbd-client and its initramfs script, deploy/ramboot's scripts, the kernel's NBD
/// client over virtio-net, overlayfs over tmpfs, and a switch to the export as its root.
/// </summary>
public sealed class RambootTests(BackendDaemons daemons, ITestOutputHelper output) : IClassFixture<BackendDaemons>
{
    private const string Attached = "NBDMUX-ATTACHED";
    private const string Holding = "NBDMUX-HOLDING";
    private const string RereadOk = "NBDMUX-REREAD:ok";
    private const string RereadFailed = "NBDMUX-REREAD:fail";

    /// <summary>
    /// The guest waits this long between attaching the export and mounting it, and again after
    /// it booted before it reads its root again: time to kill the NBD server and for nbdmux to
    /// start it again.
    /// </summary>
    private const int PauseSeconds = 3;

    private static readonly TimeSpan RunWait = GuestVm.RambootTimeout + TimeSpan.FromSeconds(30);

    /// <summary>
    /// nbd-server serves each client from a process of its own: killing the listener (during the
    /// boot, and again once the guest runs from its root) leaves the guest's session alone.
    /// nbdkit is one process: when it dies the kernel ends the guest's NBD session and nothing
    /// reconnects it (nbd-client 3.24 exits, with or without -nonetlink -persist), so every read
    /// the page cache cannot answer fails. nbdmux starts nbdkit again; the guest's root stays dead.
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Ramboot_a_guest_boots_with_the_records_kernel_command_line_while_exports_come_and_go_and_the_server_is_killed(string backend)
    {
        var daemon = await daemons.For(backend);
        var guest = await GuestVm.GetAsync();
        var churn = new ExportChurn(daemon, $"ramboot-churn-{backend}");
        await churn.RegisterNeighbourAsync();
        using var stopChurn = new CancellationTokenSource();
        var churning = churn.RunAsync(stopChurn.Token);
        var killed = new List<int>();

        using var demo = StartDemo(guest, daemon, $"ramboot-{backend}", $"nbdmux.test.pause={PauseSeconds} nbdmux.test.hold={PauseSeconds}");
        try
        {
            if (backend == Backends.NbdServer)
            {
                await WaitForLineAsync(demo, Attached);
                killed.Add(await daemon.KillNbdServerAsync());
            }

            await WaitForLineAsync(demo, Holding);
            killed.Add(await daemon.KillNbdServerAsync());
            await demo.WaitAsync(RunWait);
        }
        finally
        {
            await stopChurn.CancelAsync();
            await churning;
        }

        var console = demo.Stdout;
        output.WriteLine(console.Split('\n').LastOrDefault(line => line.StartsWith("== the guest printed its marker", StringComparison.Ordinal)) ?? "no marker");
        var context = $"demo-ramboot.sh exit {demo.ExitCode}; output:\n{console}\nstderr:\n{demo.Stderr}\nnbdmux:\n{daemon.Output}";
        Assert.Contains($"nbdroot=127.0.0.1:{daemon.NbdPort}/ramboot-{backend} root=/dev/nbd0 ro nbdmux.overlay=tmpfs", console);
        Assert.Contains("NBDMUX-ROOT:overlay", console);
        Assert.Contains("NBDMUX-OVERLAY-WRITE:ok", console);
        Assert.True(churn.Changes >= 1, $"only {churn.Changes} changes were acknowledged during the boot ({churn.Refusals} refused)\n{context}");
        if (backend == Backends.NbdServer)
        {
            Assert.True(demo.ExitCode == 0, context);
            Assert.Contains(RereadOk, console);
        }
        else
        {
            Assert.True(demo.ExitCode == 1, context);
            Assert.Contains(RereadFailed, console);
            Assert.Contains("I/O error, dev nbd0", console);
        }

        await daemon.WaitUntilHealthyAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(daemon.NbdServerPid(), killed.Cast<int?>());
    }

    /// <summary>
    /// nbdkit killed between attaching the export and mounting it: the session is gone before the
    /// root is read, so initramfs-tools starts waiting for a root it cannot read (then, after
    /// rootdelay= seconds, 180 by default, its shell); the test ends the guest once it waits.
    /// </summary>
    [Fact]
    public async Task Ramboot_on_nbdkit_finds_no_root_when_nbdkit_is_killed_between_attach_and_mount()
    {
        var daemon = await daemons.For(Backends.Nbdkit);
        var guest = await GuestVm.GetAsync();

        using var demo = StartDemo(guest, daemon, "ramboot-killed-in-boot", "nbdmux.test.pause=2");
        await WaitForLineAsync(demo, Attached);
        var killed = await daemon.KillNbdServerAsync();
        await WaitForLineAsync(demo, "Waiting for root file system");

        var console = demo.Stdout;
        Assert.Contains("block nbd0: Receive control failed", console);
        Assert.DoesNotContain("NBDMUX-MARKER:", console);
        await daemon.WaitUntilHealthyAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(killed, daemon.NbdServerPid());
    }

    /// <summary>
    /// deploy/ramboot's nbd-client wrapper: says why a server does not attach the export, tries
    /// the next server of nbdmux.servers=, and after nbdmux.retry= seconds gives up into
    /// initramfs-tools' panic (with panic=-1 a reboot, which ends QEMU).
    /// </summary>
    [Fact]
    public async Task Ramboot_names_a_closed_port_and_an_unknown_export_and_boots_from_the_second_server()
    {
        var daemon = await daemons.For(Backends.Nbdkit);
        var guest = await GuestVm.GetAsync();
        var image = Path.Combine(daemon.ImagesDir, "ramboot-second.img");
        var marker = $"ramboot-second-{Guid.NewGuid():N}";
        await guest.MakeRootImageAsync(image, marker);
        await daemon.RegisterAsync("ramboot-second", image);
        var closedPort = LoopbackPorts.Free();

        using var secondServer = guest.StartRamboot(
            "ip=dhcp", $"nbdroot=10.0.2.2:{closedPort}/ramboot-second", "root=/dev/nbd0", "ro", "nbdmux.overlay=tmpfs",
            $"nbdmux.servers=10.0.2.2:{daemon.NbdPort}");
        await secondServer.WaitAsync(RunWait);
        using var unknown = guest.StartRamboot(
            "ip=dhcp", $"nbdroot=10.0.2.2:{daemon.NbdPort}/ramboot-nosuch", "root=/dev/nbd0", "ro", "nbdmux.overlay=tmpfs", "nbdmux.retry=2");
        await unknown.WaitAsync(RunWait);

        Assert.Contains($"nbdmux: nothing listens on 10.0.2.2:{closedPort} (connection refused)", secondServer.Stdout);
        Assert.Contains($"nbdmux: /dev/nbd0 is export 'ramboot-second' on 10.0.2.2:{daemon.NbdPort}", secondServer.Stdout);
        Assert.Contains($"NBDMUX-MARKER:{marker}", secondServer.Stdout);
        Assert.Contains($"nbdmux: 10.0.2.2:{daemon.NbdPort} does not serve export 'ramboot-nosuch' to this machine", unknown.Stdout);
        Assert.Contains("nbdmux: trying again in 1s", unknown.Stdout);
        Assert.Contains($"nbdmux: export 'ramboot-nosuch' not attached from 10.0.2.2:{daemon.NbdPort} within 2s", unknown.Stdout);
        Assert.DoesNotContain("NBDMUX-MARKER:", unknown.Stdout);
    }

    private static ScriptProcess StartDemo(GuestVm guest, NbdmuxDaemon daemon, string export, string append) =>
        ScriptProcess.Start(
            Path.Combine(Repository.Root, "scripts", "demo-ramboot.sh"),
            [$"http://127.0.0.1:{daemon.HttpPort}", $"127.0.0.1:{daemon.NbdPort}"],
            new Dictionary<string, string>
            {
                ["NBDMUX_VM_CACHE"] = guest.CacheDir,
                ["NBDMUX_EXPORT"] = export,
                ["NBDMUX_RAMBOOT_APPEND"] = append,
                ["BOOT_TIMEOUT"] = $"{GuestVm.RambootTimeout.TotalSeconds}",
                // The root image must lie in an image root of the daemon.
                ["TMPDIR"] = daemon.ImagesDir,
            });

    private static async Task WaitForLineAsync(ScriptProcess run, string line)
    {
        var elapsed = Stopwatch.StartNew();
        while (!run.Stdout.Contains(line))
        {
            if (run.HasExited)
            {
                Assert.Fail($"{run.Name} exited with {run.ExitCode} before the guest printed {line}:\n{run.Stdout}\n{run.Stderr}");
            }

            Assert.True(elapsed.Elapsed < GuestVm.RambootTimeout, $"the guest did not print {line} within {GuestVm.RambootTimeout.TotalSeconds} s:\n{run.Stdout}");
            await Task.Delay(20);
        }
    }
}
