using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// The nbdkit backend is one process serving every client: nbdmux stopping, crashing or
/// starting again must never take it down under a booted machine.
/// </summary>
public sealed class NbdkitLifecycleTests
{
    [Fact]
    public async Task Without_a_backend_flag_nbdkit_serves_the_exports()
    {
        await using var daemon = new NbdmuxDaemon(backend: null);
        await daemon.LaunchAsync();
        var image = TestImage.Create(daemon.ImagesDir, "default.img", seed: 81);

        await daemon.RegisterAsync("default", image.Path);

        await using var client = await daemon.ConnectAsync("default");
        Assert.True(TestImage.IsSectorOf(81, 2, await client.ReadAsync(2 * TestImage.SectorSize, TestImage.SectorSize, default)));
        Assert.Contains("nbdkit", ExternalCommandLine(daemon.NbdServerPid()!.Value));
    }

    [Fact]
    public async Task A_stopped_nbdmux_leaves_booted_clients_reading_refuses_new_ones_and_the_next_one_adopts_the_server()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        await daemon.LaunchAsync();
        var image = TestImage.Create(daemon.ImagesDir, "booted.img", seed: 82);
        await daemon.RegisterAsync("booted", image.Path);
        var booted = await daemon.ConnectAsync("booted");
        var server = daemon.NbdServerPid()!.Value;

        var exit = await daemon.TerminateAsync();

        Assert.True(exit < TimeSpan.FromSeconds(5), $"nbdmux took {exit.TotalSeconds:0.0} s to stop");
        Assert.True(TestImage.IsSectorOf(82, 5, await booted.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("booted"));
        Assert.True(refusal.IsUnknownExport);

        await daemon.LaunchAsync();

        Assert.Equal(server, daemon.NbdServerPid());
        Assert.Contains($"Adopted nbdkit {server}", daemon.Output);
        Assert.True(TestImage.IsSectorOf(82, 6, await booted.ReadAsync(6 * TestImage.SectorSize, TestImage.SectorSize, default)));
        await using var later = await daemon.ConnectAsync("booted");
        Assert.True(TestImage.IsSectorOf(82, 7, await later.ReadAsync(7 * TestImage.SectorSize, TestImage.SectorSize, default)));
        var record = await daemon.Http.GetFromJsonAsync<JsonObject>("/exports/booted");
        Assert.Equal(2, (int?)record!["connection_count"]);
        await booted.DisposeAsync();
    }

    [Fact]
    public async Task A_killed_nbdmux_leaves_nbdkit_serving_and_an_export_removed_meanwhile_is_not_served_again()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        await daemon.LaunchAsync();
        var kept = TestImage.Create(daemon.ImagesDir, "kept.img", seed: 83);
        await daemon.RegisterAsync("kept", kept.Path);
        await using var booted = await daemon.ConnectAsync("kept");
        var server = daemon.NbdServerPid()!.Value;

        await daemon.KillAsync();
        Assert.True(TestImage.IsSectorOf(83, 1, await booted.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));
        await daemon.LaunchAsync();

        Assert.Equal(server, daemon.NbdServerPid());
        Assert.True(TestImage.IsSectorOf(83, 2, await booted.ReadAsync(2 * TestImage.SectorSize, TestImage.SectorSize, default)));
        Assert.Equal([server], daemon.LiveNbdServers());
    }

    [Fact]
    public async Task Listing_exports_shows_exactly_those_the_asking_client_may_connect_to()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        await daemon.LaunchAsync();
        var image = TestImage.Create(daemon.ImagesDir, "listed.img", seed: 84);
        await daemon.RegisterAsync("open-to-all", image.Path);
        await daemon.RegisterAsync("local-only", image.Path, allow: ["127.0.0.0/8"]);
        await daemon.RegisterAsync("elsewhere-only", image.Path, allow: ["10.99.0.0/16"]);

        var (exitCode, output) = await ExternalTool.RunAsync("nbdinfo", "--list", "--json", $"nbd://127.0.0.1:{daemon.NbdPort}");

        Assert.Equal(0, exitCode);
        var names = JsonNode.Parse(output)!["exports"]!.AsArray().Select(e => (string?)e!["export-name"]).Order();
        Assert.Equal(["local-only", "open-to-all"], names);
    }

    [Fact]
    public async Task Nbdinfo_without_options_shows_the_export_size_and_content()
    {
        await using var daemon = new NbdmuxDaemon(backend: Backends.Nbdkit);
        await daemon.LaunchAsync();
        var image = TestImage.Create(daemon.ImagesDir, "described.img", seed: 85);
        await daemon.RegisterAsync("described", image.Path);

        var (exitCode, output) = await ExternalTool.RunAsync("nbdinfo", $"nbd://127.0.0.1:{daemon.NbdPort}/described");

        Assert.Equal(0, exitCode);
        Assert.Contains($"export-size: {image.SizeBytes} ", output);
        Assert.DoesNotContain("content: empty", output);
    }

    private static string ExternalCommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
}
