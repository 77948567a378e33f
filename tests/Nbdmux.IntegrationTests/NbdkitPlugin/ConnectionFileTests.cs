using System.Globalization;
namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>connections/ID tells nbdmux who is connected; cut/ID is how nbdmux disconnects one client.</summary>
public sealed class ConnectionFileTests
{
    [Theory]
    [InlineData(NbdkitListener.Ipv4Loopback)]
    [InlineData(NbdkitListener.Ipv6Loopback)]
    [InlineData(NbdkitListener.DualStackSocketActivated)]
    public async Task A_connection_file_names_export_peer_and_start_while_the_client_is_connected(NbdkitListener listener)
    {
        await using var server = await NbdkitPluginServer.StartAsync(listener);
        server.CreateImage("seen.img", seed: 51);
        server.Publish("seen", (await ExportRecord.OfAsync(server.ImagesRoot, "seen.img")).ToString());

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var connection = await server.ConnectAsync("seen", TestTimeout.Token);
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var id = Assert.Single(server.ConnectionIds());
        Assert.Matches($"^{server.ProcessId}-[0-9]+$", id);
        var fields = server.Connection(id);
        Assert.Equal(["export", "peer", "since"], fields.Keys);
        Assert.Equal("seen", fields["export"]);
        // As the client sees its own end: [::1]:port for IPv6, a.b.c.d:port for IPv4 even on a dual-stack socket.
        Assert.Equal(connection.LocalEndPoint, fields["peer"]);
        Assert.InRange(long.Parse(fields["since"], CultureInfo.InvariantCulture), before, after);

        await connection.DisposeAsync();
        await Eventually.TrueAsync(() => server.ConnectionIds().Length == 0, what: "connections/ID stayed after the client disconnected");
    }

    [Fact]
    public async Task A_cut_request_disconnects_that_client_only_and_both_files_go()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("cut.img", seed: 52);
        server.Publish("cut", (await ExportRecord.OfAsync(server.ImagesRoot, "cut.img", "cow")).ToString());
        await using var victim = await server.ConnectAsync("cut", TestTimeout.Token);
        var victimId = Assert.Single(server.ConnectionIds());
        await using var bystander = await server.ConnectAsync("cut", TestTimeout.Token);

        server.Cut(victimId);

        await Eventually.TrueAsync(() => !server.ConnectionIds().Contains(victimId), what: "connections/ID stayed after cut/ID");
        await Eventually.TrueAsync(() => Directory.GetFiles(server.CutDir).Length == 0, what: "cut/ID was not deleted");
        await Assert.ThrowsAnyAsync<IOException>(() => victim.ReadAsync(0, 512, TestTimeout.Token));
        Assert.True(TestImage.IsSectorOf(image.Seed, 0, await bystander.ReadAsync(0, 512, TestTimeout.Token)));
        Assert.Single(server.ConnectionIds());
    }

    [Fact]
    public async Task A_cut_request_for_no_live_connection_is_deleted()
    {
        await using var server = await NbdkitPluginServer.StartAsync();

        server.Cut("1-1");

        await Eventually.TrueAsync(() => Directory.GetFiles(server.CutDir).Length == 0, what: "cut/ID for no connection was not deleted");
    }

    [Fact]
    public async Task Connection_files_left_by_a_dead_nbdkit_are_removed_when_nbdkit_starts()
    {
        await using var server = new NbdkitPluginServer();
        Directory.CreateDirectory(server.ConnectionsDir);
        File.WriteAllText(Path.Combine(server.ConnectionsDir, "999999-1"), "export=old\npeer=10.0.0.1:1000\nsince=1\n");
        File.WriteAllText(Path.Combine(server.ConnectionsDir, ".999999-2.999999.0"), "export=old\n");

        await server.LaunchAsync();

        await Eventually.TrueAsync(() => Directory.GetFileSystemEntries(server.ConnectionsDir).Length == 0,
            what: "left-over connection files stayed");
    }

    [Fact]
    public async Task Nbdkit_keeps_serving_after_the_thread_that_started_it_has_ended()
    {
        // The fixture starts nbdkit from a thread that ends once nbdkit listens: without the plugin
        // clearing it, nbdkit 1.32.5's parent-death SIGTERM would stop it within milliseconds.
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("alive.img", seed: 53);
        server.Publish("alive", (await ExportRecord.OfAsync(server.ImagesRoot, "alive.img")).ToString());
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        await using var connection = await server.ConnectAsync("alive", TestTimeout.Token);

        Assert.True(TestImage.IsSectorOf(image.Seed, 0, await connection.ReadAsync(0, 512, TestTimeout.Token)));
    }
}
