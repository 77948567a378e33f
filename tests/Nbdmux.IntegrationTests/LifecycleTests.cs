using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Nbdmux.Application.Common;

namespace Nbdmux.IntegrationTests;

/// <summary>Guarantee 7 and start-up errors: restarts restore everything; problems are one clear line.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task A_killed_nbdmux_restarts_on_its_data_dir_with_every_export_and_no_stray_nbd_server()
    {
        await using var daemon = await NbdmuxDaemon.StartAsync();
        var first = TestImage.Create(daemon.ImagesDir, "l1.img", seed: 71);
        var second = TestImage.Create(daemon.ImagesDir, "l2.img", seed: 72);
        await daemon.RegisterAsync("l1", first.Path);
        await daemon.RegisterAsync("l2", second.Path, readOnly: false);
        var holder = await daemon.ConnectAsync("l1");

        await daemon.KillAsync();
        await daemon.LaunchAsync();

        var names = (await daemon.Http.GetFromJsonAsync<JsonArray>("/exports"))!.Select(e => (string?)e!["name"]);
        Assert.Equal(["l1", "l2"], names);
        await using (var restored = await daemon.ConnectAsync("l2"))
        {
            Assert.False(restored.IsReadOnly);
            Assert.True(TestImage.IsSectorOf(72, 9, await restored.ReadAsync(9 * TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        Assert.True(TestImage.IsSectorOf(71, 4, await holder.ReadAsync(4 * TestImage.SectorSize, TestImage.SectorSize, default)));
        await holder.DisposeAsync();
        await WaitUntilAsync(() => daemon.LiveNbdServers().Count == 1);
        Assert.Equal([daemon.NbdServerPid()!.Value], daemon.LiveNbdServers());
    }

    [Fact]
    public async Task Exports_outside_the_image_roots_after_a_restart_are_reported_and_withheld_not_served()
    {
        await using var daemon = await NbdmuxDaemon.StartAsync();
        var image = TestImage.Create(daemon.ImagesDir, "w1.img", seed: 74);
        await daemon.RegisterAsync("w1", image.Path);
        var otherRoot = daemon.CreateDirectoryBeside("other-root");
        await daemon.TerminateAsync();

        await daemon.LaunchAsync("--images-dir", otherRoot);

        var record = await daemon.Http.GetFromJsonAsync<JsonObject>("/exports/w1");
        Assert.Equal("withheld", (string?)record!["status"]);
        Assert.Contains("outside the image roots", (string?)record["problem"]);
        Assert.Contains("Export w1 is registered but NOT served", daemon.Output);
        await Assert.ThrowsAsync<Nbd.NbdNegotiationException>(() => daemon.ConnectAsync("w1"));

        var moved = TestImage.Create(otherRoot, "w1.img", seed: 75);
        await daemon.RegisterAsync("w1", moved.Path);
        Assert.Equal("ready", (string?)(await daemon.Http.GetFromJsonAsync<JsonObject>("/exports/w1"))!["status"]);
        await using var served = await daemon.ConnectAsync("w1");
        Assert.True(TestImage.IsSectorOf(75, 1, await served.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    [Fact]
    public async Task Copy_on_write_overlays_left_by_a_crash_are_deleted_at_start()
    {
        await using var daemon = new NbdmuxDaemon();
        var overlays = Directory.CreateDirectory(Path.Combine(daemon.DataDir, "nbd-server", "cow")).FullName;
        // nbd-server names an overlay IMAGE-PEER-PID.diff; no process has pid 4194304 (above pid_max).
        var abandoned = Path.Combine(overlays, "root.img-10.0.0.9-4194304.diff");
        File.WriteAllBytes(abandoned, new byte[4096]);

        await daemon.LaunchAsync();

        Assert.False(File.Exists(abandoned));
        Assert.Contains("Deleting copy-on-write overlay", daemon.Output);
    }

    [Fact]
    public async Task Sigterm_stops_nbdmux_within_five_seconds_and_connected_clients_keep_their_disk()
    {
        await using var daemon = await NbdmuxDaemon.StartAsync();
        var image = TestImage.Create(daemon.ImagesDir, "l3.img", seed: 73);
        await daemon.RegisterAsync("l3", image.Path);
        await using var holder = await daemon.ConnectAsync("l3");

        var took = await daemon.TerminateAsync();

        Assert.True(took < TimeSpan.FromSeconds(5), $"exit took {took.TotalMilliseconds} ms");
        Assert.Equal(0, daemon.Process.ExitCode);
        Assert.True(TestImage.IsSectorOf(73, 2, await holder.ReadAsync(2 * TestImage.SectorSize, TestImage.SectorSize, default)));
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => daemon.ConnectAsync("l3"));
    }

    [Theory]
    [InlineData("--nbd-server-bin", "/nonexistent/nbd-server", "nbd-server binary '/nonexistent/nbd-server' not found")]
    [InlineData("--data-dir", "/proc/nbdmux-cannot-write-here", "is not writable")]
    [InlineData("--bind", "not-an-address", "is not an IP address")]
    [InlineData("--no-such-flag", "x", "unknown option '--no-such-flag'")]
    [InlineData("--port", "8082x", "--port (or NBDMUX_PORT) '8082x' is not a whole number; give a port from 1 to 65535")]
    [InlineData("--port", "99999", "--port must be a port from 1 to 65535")]
    [InlineData("--nbd-port", "0", "--nbd-port must be a port from 1 to 65535")]
    [InlineData("--nbd-port", "ten", "--nbd-port (or NBDMUX_NBD_PORT) 'ten' is not a whole number")]
    [InlineData("--handshake-timeout", "0", "--handshake-timeout must be from 1 to 3600 seconds")]
    [InlineData("--handshake-timeout", "1.5", "--handshake-timeout (or NBDMUX_HANDSHAKE_TIMEOUT) '1.5' is not a whole number")]
    [InlineData("--nbd-backend", "qemu-nbd", "--nbd-backend 'qemu-nbd' must be nbdkit or nbd-server")]
    [InlineData("--log-format", "xml", "--log-format 'xml' must be text or json")]
    [InlineData("--admin-password", " spaced", "--admin-password starts or ends with whitespace")]
    [InlineData("--images-dir", "/nonexistent/images", "images dir '/nonexistent/images' does not exist")]
    public async Task A_start_up_problem_is_one_clear_line_and_a_non_zero_exit(string flag, string value, string message)
    {
        await using var daemon = new NbdmuxDaemon();

        var (exitCode, output) = await daemon.RunExpectingFailureAsync(flag, value);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nbdmux: ", line);
        Assert.Contains(message, line);
        Assert.DoesNotContain("validation failed", line, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("NBDMUX_PORT", "abc", "--port (or NBDMUX_PORT) 'abc' is not a whole number")]
    [InlineData("NBDMUX_NBD_PORT", "70000", "--nbd-port must be a port from 1 to 65535")]
    [InlineData("NBDMUX_HANDSHAKE_TIMEOUT", "soon", "--handshake-timeout (or NBDMUX_HANDSHAKE_TIMEOUT) 'soon' is not a whole number")]
    [InlineData("NBDMUX_LOG_FORMAT", "yaml", "--log-format 'yaml' must be text or json")]
    [InlineData("NBDMUX_NBD_BACKEND", "nbd", "--nbd-backend 'nbd' must be nbdkit or nbd-server")]
    public async Task A_bad_environment_value_is_one_clear_line_and_a_non_zero_exit(string variable, string value, string message)
    {
        await using var daemon = new NbdmuxDaemon(backend: null);
        daemon.Environment[variable] = value;
        var (exitCode, output) = await daemon.RunWithoutPortFlagsExpectingFailureAsync();

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nbdmux: ", line);
        Assert.Contains(message, line);
    }

    [Fact]
    public async Task A_taken_nbd_port_is_one_clear_line_and_a_non_zero_exit()
    {
        await using var first = await NbdmuxDaemon.StartAsync();
        await using var second = new NbdmuxDaemon();

        var (exitCode, output) = await second.RunExpectingFailureAsync("--nbd-port", $"{first.NbdPort}");

        Assert.Equal(1, exitCode);
        Assert.Contains($"port 127.0.0.1:{first.NbdPort} is not available", Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(10);
        }
    }
}
