using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// The connections nbdmux reports come from nbd-server's per-client processes: they must follow
/// clients through negotiation, listener restarts and disconnection.
/// </summary>
public sealed class ConnectionTableTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task A_client_seen_while_negotiating_is_counted_with_its_own_address_once_it_has_the_export()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "slow.img", seed: 61);
        await Daemon.RegisterAsync("slow", image.Path);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Daemon.NbdEndpoint);
        await using var stream = new NetworkStream(socket);
        await stream.ReadExactlyAsync(new byte[18]); // the greeting: its nbd-server child now waits for options

        // Looked at now, the child holds the listener's socket besides its own, and no export yet.
        Assert.Equal(0, (int?)(await RecordAsync("slow"))["connection_count"]);
        await NegotiateExportNameAsync(stream, "slow");

        var record = await RecordAsync("slow");
        Assert.Equal(1, (int?)record["connection_count"]);
        Assert.Equal(socket.LocalEndPoint!.ToString(), (string?)record["connections"]![0]!["peer"]);
    }

    [Fact]
    public async Task A_client_stays_counted_through_listener_restarts_and_goes_when_it_disconnects()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "held.img", seed: 62);
        await Daemon.RegisterAsync("held", image.Path);
        var booted = await Daemon.ConnectAsync("held");
        var peer = (string?)(await RecordAsync("held"))["connections"]![0]!["peer"];

        foreach (var name in new[] { "restart-1", "restart-2" })
        {
            // A new name restarts the listener: the client's process now belongs to a killed one.
            await Daemon.RegisterAsync(name, image.Path);
            var listed = (await Daemon.Http.GetFromJsonAsync<JsonArray>("/exports"))!.Single(e => (string?)e!["name"] == "held")!;
            Assert.Equal(1, (int?)listed["connection_count"]);
            Assert.Equal(peer, (string?)listed["connections"]![0]!["peer"]);
        }

        await booted.DisposeAsync();
        var elapsed = Stopwatch.StartNew();
        while ((int?)(await RecordAsync("held"))["connection_count"] != 0)
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), "the disconnected client is still counted after 5 s");
            await Task.Delay(10);
        }

        foreach (var name in new[] { "held", "restart-1", "restart-2" })
        {
            await Daemon.RemoveAsync(name);
        }
    }

    private async Task<JsonObject> RecordAsync(string name) => (await Daemon.Http.GetFromJsonAsync<JsonObject>($"/exports/{name}"))!;

    /// <summary>The oldest way to pick an export (NBD_OPT_EXPORT_NAME): the server answers with the size and flags only.</summary>
    private static async Task NegotiateExportNameAsync(Stream stream, string export)
    {
        const uint fixedNewstyleNoZeroes = 3;
        const uint exportNameOption = 1;
        var name = Encoding.UTF8.GetBytes(export);
        var request = new byte[4 + 8 + 4 + 4 + name.Length];
        BinaryPrimitives.WriteUInt32BigEndian(request, fixedNewstyleNoZeroes);
        "IHAVEOPT"u8.CopyTo(request.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(12), exportNameOption);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(16), (uint)name.Length);
        name.CopyTo(request.AsSpan(20));
        await stream.WriteAsync(request);
        await stream.ReadExactlyAsync(new byte[8 + 2]);
    }
}
