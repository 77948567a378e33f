using System.Diagnostics;
using Nbdmux.Application.Common;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.DataPlane;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.Nbdkit;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests.NbdkitBackend;

/// <summary>The nbdkit backend driven directly, as the supervisor drives it, against real nbdkit, the plugin and real clients.</summary>
public sealed class NbdkitBackendTests : IDisposable
{
    private readonly NbdkitBackendHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_published_export_is_served_listed_and_refused_once_withdrawn_while_its_client_keeps_reading()
    {
        var backend = _harness.NewBackend();
        Assert.Null(await backend.RecoverAsync(CancellationToken.None));
        var image = _harness.Image("a.img", seed: 10);
        Assert.Equal(PublishEffect.Live, backend.Publish(Served("a", image.Path), running: null));

        using var server = await backend.LaunchAsync(CancellationToken.None);
        await using var client = await ConnectAsync("a");

        await AssertReadsAsync(client, image, sector: 7);
        Assert.Contains("export=\"a\"", await RunAsync("nbdinfo", "--list", $"nbd://127.0.0.1:{_harness.Options.NbdPort}"));
        var connection = Assert.Single(backend.Connections(server));
        Assert.Equal(("a", client.LocalEndPoint), (connection.Export, connection.Peer));
        Assert.Same(backend.Connections(server), backend.Connections(server));

        backend.Withdraw("a");

        Assert.True((await Assert.ThrowsAsync<NbdNegotiationException>(() => ConnectAsync("a"))).IsUnknownExport);
        await AssertReadsAsync(client, image, sector: 8);
    }

    [Fact]
    public async Task The_server_outlives_the_thread_that_launched_it()
    {
        var backend = _harness.NewBackend();
        await backend.RecoverAsync(CancellationToken.None);
        var image = _harness.Image("a.img", seed: 15);
        backend.Publish(Served("a", image.Path), running: null);
        ServerProcess? launched = null;
        // Process.Start forks on the calling thread, before LaunchAsync first awaits.
        var launcher = new Thread(() => launched = backend.LaunchAsync(CancellationToken.None).GetAwaiter().GetResult());
        launcher.Start();
        launcher.Join();

        await Task.Delay(200);

        using var server = launched!;
        Assert.False(server.HasExited);
        await using var client = await ConnectAsync("a");
        await AssertReadsAsync(client, image, sector: 2);
    }

    [Fact]
    public async Task A_new_name_is_served_by_the_running_server_at_once()
    {
        var (backend, server) = await StartAsync();
        var image = _harness.Image("b.img", seed: 20);

        Assert.Equal(PublishEffect.Live, backend.Publish(Served("b", image.Path), server));

        await using var client = await ConnectAsync("b");
        await AssertReadsAsync(client, image, sector: 1);
        server.Dispose();
    }

    [Fact]
    public async Task Disconnecting_a_client_cuts_it_and_only_it()
    {
        var (backend, server) = await StartAsync();
        var image = _harness.Image("a.img", seed: 30);
        backend.Publish(Served("a", image.Path), server);
        await using var cut = await ConnectAsync("a");
        await using var kept = await ConnectAsync("a");

        await backend.DisconnectAsync([backend.Connections(server).Single(c => c.Peer == cut.LocalEndPoint)], CancellationToken.None);

        Assert.Equal([kept.LocalEndPoint], backend.Connections(server).Select(c => c.Peer));
        await Assert.ThrowsAnyAsync<Exception>(() => cut.ReadAsync(0, TestImage.SectorSize, CancellationToken.None));
        await AssertReadsAsync(kept, image, sector: 3);
        server.Dispose();
    }

    [Fact]
    public async Task Shutdown_leaves_clients_reading_and_refuses_new_ones_until_the_next_nbdmux_adopts_the_server()
    {
        var (first, server) = await StartAsync();
        var image = _harness.Image("a.img", seed: 40);
        first.Publish(Served("a", image.Path), server);
        first.Publish(Served("dropped", _harness.Image("d.img", seed: 1).Path), server);
        await using var held = await ConnectAsync("a");

        await first.StopAsync(server, StopReason.Shutdown);

        Assert.False(server.HasExited);
        await AssertReadsAsync(held, image, sector: 5);
        Assert.True((await Assert.ThrowsAsync<NbdNegotiationException>(() => ConnectAsync("a"))).IsUnknownExport);

        var second = _harness.NewBackend();
        using var adopted = await second.RecoverAsync(CancellationToken.None);

        Assert.Equal(server.Pid, adopted?.Pid);
        await AssertReadsAsync(held, image, sector: 6);
        Assert.Equal([held.LocalEndPoint], second.Connections(adopted).Select(c => c.Peer));
        await using (var meanwhile = await ConnectAsync("a"))
        {
            await AssertReadsAsync(meanwhile, image, sector: 9);
        }

        // The registry no longer has "dropped": start-up publishes "a" only, and the first tick removes the rest.
        second.Publish(Served("a", image.Path), adopted);
        second.Poll(adopted);
        Assert.True((await Assert.ThrowsAsync<NbdNegotiationException>(() => ConnectAsync("dropped"))).IsUnknownExport);
        await AssertReadsAsync(held, image, sector: 10);
        server.Dispose();
    }

    [Fact]
    public async Task A_server_of_another_build_or_port_is_killed_at_start_up()
    {
        var (_, server) = await StartAsync();
        var elsewhere = new Infrastructure.Configuration.NbdmuxOptions
        {
            DataDir = _harness.Options.DataDir,
            Bind = "127.0.0.1",
            NbdPort = LoopbackPorts.Free(),
        };

        Assert.Null(await _harness.NewBackend(elsewhere).RecoverAsync(CancellationToken.None));

        Assert.True(server.HasExited);
        Assert.Contains(_harness.Log, line => line.StartsWith("Warning:", StringComparison.Ordinal) && line.Contains($"nbdkit {server.Pid}") && line.Contains("cuts its clients"));
        server.Dispose();
    }

    [Fact]
    public async Task A_replaced_image_is_refused_and_reported_with_the_reason()
    {
        var (backend, server) = await StartAsync();
        var image = _harness.Image("a.img", seed: 50);
        backend.Publish(Served("a", image.Path), server);
        File.Move(_harness.Image("other.img", seed: 51).Path, image.Path, overwrite: true);

        await Assert.ThrowsAsync<NbdNegotiationException>(() => ConnectAsync("a"));

        var reasons = backend.Poll(server);
        Assert.Equal($"the file at {image.Path} is no longer the registered file (it was replaced)", reasons["a"]);
        Assert.Contains(_harness.Log, line => line.StartsWith("Warning: nbdkit:", StringComparison.Ordinal) && line.Contains("export a refused"));
        server.Dispose();
    }

    [Fact]
    public async Task An_export_whose_image_was_replaced_before_it_is_published_is_refused_and_nothing_changes()
    {
        var (backend, server) = await StartAsync();
        var image = _harness.Image("a.img", seed: 52);
        var registered = Served("a", image.Path);
        File.Move(_harness.Image("other.img", seed: 53).Path, image.Path, overwrite: true);

        Assert.Throws<Application.Common.Exceptions.ImageUnservableException>(() => backend.Publish(registered, server));

        Assert.False(File.Exists(_harness.Layout.RecordPath("a")));
        server.Dispose();
    }

    [Fact]
    public async Task A_copy_on_write_clients_overlay_is_counted_while_it_is_connected()
    {
        var (backend, server) = await StartAsync();
        var image = _harness.Image("a.img", seed: 60);
        backend.Publish(Served("a", image.Path, new ExportAccess(readOnly: false, copyOnWrite: true)), server);
        Assert.Equal(0, backend.OverlayBytes());

        await using (var client = await ConnectAsync("a"))
        {
            await client.WriteAsync(0, new byte[64 * 1024], CancellationToken.None);
            Assert.InRange(backend.OverlayBytes(), 64 * 1024, 1024 * 1024);
        }

        Assert.True(await TimeProvider.System.UntilAsync(() => backend.OverlayBytes() == 0, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.True(TestImage.IsSectorOf(60, 0, (await File.ReadAllBytesAsync(image.Path))[..TestImage.SectorSize]));
        server.Dispose();
    }

    [Fact]
    public async Task A_restart_kills_the_server_and_says_how_it_ended()
    {
        var (backend, server) = await StartAsync();

        await backend.StopAsync(server, StopReason.Restart);

        Assert.True(server.HasExited);
        Assert.Equal("killed by SIGKILL", backend.DescribeExit(server));
        server.Dispose();
    }

    [Fact]
    public async Task A_launch_on_a_taken_port_fails_with_nbdkits_own_words()
    {
        var backend = _harness.NewBackend();
        await backend.RecoverAsync(CancellationToken.None);
        using var squatter = new System.Net.Sockets.TcpListener(_harness.Endpoint);
        squatter.Start();

        var error = await Assert.ThrowsAsync<NbdServerStartException>(() => backend.LaunchAsync(CancellationToken.None));

        Assert.Contains("nbdkit exited with code 1", error.Message);
        Assert.Contains("Address already in use", error.Message);
    }

    private async Task<(Infrastructure.Nbdkit.NbdkitBackend Backend, ServerProcess Server)> StartAsync()
    {
        var backend = _harness.NewBackend();
        await backend.RecoverAsync(CancellationToken.None);
        return (backend, await backend.LaunchAsync(CancellationToken.None));
    }

    private async Task<NbdConnection> ConnectAsync(string export)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await NbdClient.ConnectAsync(_harness.Endpoint, export, timeout.Token);
    }

    /// <summary>The export as registering the file now would record it.</summary>
    private static ServedExport Served(string name, string path, ExportAccess? access = null) =>
        new(name, path, Infrastructure.Linux.FileStat.OfLink(path).Identity, access ?? ExportAccess.ReadOnlyForEveryone);

    private static async Task AssertReadsAsync(NbdConnection client, TestImage image, int sector)
    {
        var data = await client.ReadAsync((long)sector * TestImage.SectorSize, TestImage.SectorSize, CancellationToken.None);
        Assert.True(TestImage.IsSectorOf(image.Seed, sector, data), $"sector {sector} of {image.Path} read wrong");
    }

    private static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        Prerequisites.Require(tool, "libnbd-bin");
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
