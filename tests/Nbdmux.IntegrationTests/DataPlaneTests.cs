using System.Diagnostics;
using System.Net.Sockets;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>The NBD port under load and abuse, on each backend: bursts, stalled handshakes, listing.</summary>
public sealed class DataPlaneTests(BackendDaemons daemons) : IClassFixture<BackendDaemons>
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_rack_of_clients_connecting_in_the_same_instant_is_served(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "burst.img", seed: 61);
        await daemon.RegisterAsync("burst", image.Path);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var connections = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => NbdClient.ConnectAsync(daemon.NbdEndpoint, "burst", timeout.Token)));

        var reads = await Task.WhenAll(connections.Select(async (connection, i) =>
            TestImage.IsSectorOf(61, i, await connection.ReadAsync(i * TestImage.SectorSize, TestImage.SectorSize, timeout.Token))));
        Assert.All(reads, Assert.True);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_client_that_never_negotiates_is_disconnected_after_the_handshake_timeout(string backend)
    {
        await using var daemon = new NbdmuxDaemon(backend: backend);
        await daemon.LaunchAsync("--handshake-timeout", "1");
        var image = TestImage.Create(daemon.ImagesDir, "idle.img", seed: 62);
        await daemon.RegisterAsync("idle", image.Path);
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(daemon.NbdEndpoint);

        var elapsed = Stopwatch.StartNew();
        var buffer = new byte[4096];
        var stream = stalled.GetStream();
        stream.ReadTimeout = 10_000;
        while (await ReadOrEndAsync(stream, buffer) > 0)
        {
            // the greeting; then nothing more until the server gives up on us
        }

        // Not at once (the greeting came and the socket stayed open), and soon after the timeout;
        // nbd-server's clock for it starts at the client process's fork, a moment before ours.
        Assert.InRange(elapsed.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));
        await using var served = await daemon.ConnectAsync("idle");
        Assert.True(TestImage.IsSectorOf(62, 0, await served.ReadAsync(0, TestImage.SectorSize, default)));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Stalled_sockets_never_block_new_exports_or_other_clients(string backend)
    {
        var daemon = await daemons.For(backend);
        var stalled = new List<TcpClient>();
        for (var i = 0; i < 30; i++)
        {
            var socket = new TcpClient();
            await socket.ConnectAsync(daemon.NbdEndpoint);
            stalled.Add(socket);
        }

        var image = TestImage.Create(daemon.ImagesDir, "beside-stalled.img", seed: 63);
        await daemon.RegisterAsync("beside-stalled", image.Path);
        await using var client = await daemon.ConnectAsync("beside-stalled");
        Assert.True(TestImage.IsSectorOf(63, 3, await client.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
        stalled.ForEach(socket => socket.Dispose());
    }

    private static async Task<int> ReadOrEndAsync(NetworkStream stream, byte[] buffer)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await stream.ReadAsync(buffer, timeout.Token);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
