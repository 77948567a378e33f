using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// End to end: a QEMU guest (TCG, tests/vm) boots with its root disk on QEMU's own NBD client,
/// served by nbdmux from an export registered through the HTTP API.
/// </summary>
public sealed class VmBootTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly TimeSpan BootWait = GuestVm.BootTimeout + TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(1);

    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task A_guest_boots_from_a_read_only_export_and_prints_the_marker_it_read()
    {
        var guest = await GuestVm.GetAsync();
        var (export, image, marker) = await RegisterRootImageAsync(guest, "vm-ro");
        var imageHash = Sha256(image);

        using var boot = guest.StartBoot(NbdUri(export));
        await boot.WaitAsync(BootWait);

        AssertBooted(boot, marker);
        Assert.Equal(imageHash, Sha256(image));
    }

    [Fact]
    public async Task Demo_boot_sh_works_as_the_readme_shows_against_a_running_nbdmux()
    {
        await GuestVm.GetAsync();

        using var demo = await ScriptProcess.RunAsync(
            Path.Combine(Repository.Root, "scripts", "demo-boot.sh"),
            [Daemon.Http.BaseAddress!.ToString().TrimEnd('/'), $"127.0.0.1:{Daemon.NbdPort}"],
            TimeSpan.FromMinutes(3));

        Assert.True(demo.ExitCode == 0, $"demo-boot.sh exited with {demo.ExitCode}:\n{demo.Stdout}\n{demo.Stderr}");
        Assert.Contains("== the guest read its root disk over NBD from nbdmux", demo.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(Daemon.ImagesDir, "nbdmux-demo.*"));
    }

    [Fact]
    public async Task A_guest_writes_its_copy_on_write_root_directly_and_the_image_never_changes()
    {
        var guest = await GuestVm.GetAsync();
        var image = Path.Combine(Daemon.ImagesDir, "vm-cow.img");
        var marker = $"vm-cow-{Guid.NewGuid():N}";
        await guest.MakeRootImageAsync(image, marker);
        await Daemon.RegisterCopyOnWriteAsync("vm-cow", image);
        var imageHash = Sha256(image);

        using var boot = guest.StartBoot(NbdUri("vm-cow"), GuestVm.ReadWriteRoot);
        await boot.WaitAsync(BootWait);

        var context = $"boot.sh exit {boot.ExitCode}; console:\n{boot.Stdout}\nstderr:\n{boot.Stderr}";
        Assert.False(boot.Stdout.Contains(GuestVm.FailLine), context);
        Assert.True(boot.Stdout.Contains(GuestVm.DiskWriteOk), context);
        Assert.True(boot.Stdout.Contains($"{GuestVm.MarkerLine}{marker}"), context);
        Assert.Equal(0, boot.ExitCode);
        Assert.Equal(imageHash, Sha256(image));
    }

    [Fact]
    public async Task A_guest_boots_while_exports_are_reconfigured_and_nbd_server_is_killed_mid_boot()
    {
        var guest = await GuestVm.GetAsync();
        var (export, _, marker) = await RegisterRootImageAsync(guest, "vm-churn");
        var churn = new ExportChurn(Daemon, "vm-churn");
        await churn.RegisterNeighbourAsync();

        using var boot = guest.StartBoot(NbdUri(export));
        // A listener restart refuses new connections for a moment, so the churn starts once QEMU's
        // disk is connected: from then on the guest must not notice anything.
        await WaitUntilQemuIsServedAsync(boot);
        using var stopChurn = new CancellationTokenSource();
        var churning = churn.RunAsync(stopChurn.Token);
        int killed, changesDuringBoot;
        try
        {
            var untilKill = KillAfter - boot.Started.Elapsed;
            if (untilKill > TimeSpan.Zero)
            {
                await Task.Delay(untilKill);
            }

            Assert.False(boot.HasExited || boot.Stdout.Contains(GuestVm.MarkerLine),
                $"the guest finished before the kill, so the kill proves nothing:\n{boot.Stdout}");
            killed = await Daemon.KillNbdServerAsync();
            await boot.WaitAsync(BootWait);
            changesDuringBoot = churn.Changes;
        }
        finally
        {
            await stopChurn.CancelAsync();
        }

        await churning;

        AssertBooted(boot, marker);
        Assert.True(changesDuringBoot >= 1, $"only {changesDuringBoot} changes were acknowledged during the boot ({churn.Refusals} refused); nbdmux:\n{Daemon.Output}");
        await WaitUntilHealthyAsync();
        Assert.NotEqual(killed, Daemon.NbdServerPid());
        await AssertExportSetAfterChurnAsync(churn, export);
    }

    private async Task<(string Export, string Image, string Marker)> RegisterRootImageAsync(GuestVm guest, string export)
    {
        var image = Path.Combine(Daemon.ImagesDir, $"{export}.img");
        var marker = $"{export}-{Guid.NewGuid():N}";
        await guest.MakeRootImageAsync(image, marker);
        await Daemon.RegisterAsync(export, image, readOnly: true);
        return (export, image, marker);
    }

    private string NbdUri(string export) => $"nbd://127.0.0.1:{Daemon.NbdPort}/{export}";

    /// <summary>nbd-server forks a process per client; with no other client, a second process is QEMU's.</summary>
    private async Task WaitUntilQemuIsServedAsync(ScriptProcess boot)
    {
        while (Daemon.LiveNbdServers().Count < 2)
        {
            if (boot.HasExited)
            {
                Assert.Fail($"QEMU exited with {boot.ExitCode} before it was served:\n{boot.Stdout}\n{boot.Stderr}");
            }

            Assert.True(boot.Started.Elapsed < TimeSpan.FromSeconds(10), "QEMU did not connect to the export within 10 s");
            await Task.Delay(10);
        }
    }

    private async Task WaitUntilHealthyAsync() => await Daemon.WaitUntilHealthyAsync(TimeSpan.FromSeconds(10));

    /// <summary>The churn's additions are gone and a new client of the neighbour gets its last acknowledged file and mode.</summary>
    private async Task AssertExportSetAfterChurnAsync(ExportChurn churn, string export)
    {
        var names = (await Daemon.Http.GetFromJsonAsync<List<ExportListing>>("/exports"))!.Select(e => e.Name).ToList();
        Assert.Contains(export, names);
        Assert.Contains(churn.Neighbour, names);
        Assert.DoesNotContain(names, name => name.StartsWith("vm-churn-new", StringComparison.Ordinal));

        await using var neighbour = await Daemon.ConnectAsync(churn.Neighbour);
        Assert.Equal(churn.NeighbourReadOnly, neighbour.IsReadOnly);
        Assert.True(TestImage.IsSectorOf(churn.NeighbourFile.Seed, 9,
            await neighbour.ReadAsync(9 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    private static void AssertBooted(ScriptProcess boot, string marker)
    {
        var console = boot.Stdout;
        var context = $"boot.sh exit {boot.ExitCode}; console:\n{console}\nstderr:\n{boot.Stderr}";
        Assert.False(console.Contains(GuestVm.FailLine), context);
        Assert.True(console.Contains($"{GuestVm.MarkerLine}{marker}"), context);
        Assert.True(console.Contains(GuestVm.OverlayWriteOk), context);
        Assert.True(boot.ExitCode == 0, context);
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    private sealed record ExportListing(string Name);
}
