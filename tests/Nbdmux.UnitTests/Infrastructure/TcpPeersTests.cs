using System.Net;
using System.Net.Sockets;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure;

/// <summary>Both ways of finding a socket's peer (socket diagnostics, /proc/net) agree with the socket itself.</summary>
public class TcpPeersTests
{
    public static TheoryData<string, string> LookupsAndLoopbacks => new()
    {
        { "socket diagnostics", "127.0.0.1" }, { "socket diagnostics", "::1" },
        { "/proc/net", "127.0.0.1" }, { "/proc/net", "::1" },
    };

    [Theory]
    [MemberData(nameof(LookupsAndLoopbacks))]
    public async Task Each_lookup_names_the_peer_of_an_accepted_socket_and_leaves_out_listening_ones(string lookup, string loopback)
    {
        await using var pair = await ConnectedPair.OpenAsync(IPAddress.Parse(loopback));

        var peers = lookup == "/proc/net" ? TcpPeers.FromProcNet() : SocketDiag.TcpPeersBySocketInode();

        Assert.NotNull(peers);
        Assert.Equal(pair.Client.LocalEndPoint!.ToString(), peers[pair.AcceptedInode]);
        Assert.DoesNotContain(pair.ListenerInode, peers.Keys);
    }

    private sealed class ConnectedPair : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly Socket _accepted;

        private ConnectedPair(Socket listener, Socket client, Socket accepted)
        {
            (_listener, Client, _accepted) = (listener, client, accepted);
            ListenerInode = InodeOf(listener);
            AcceptedInode = InodeOf(accepted);
        }

        public Socket Client { get; }
        public string ListenerInode { get; }
        public string AcceptedInode { get; }

        public static async Task<ConnectedPair> OpenAsync(IPAddress loopback)
        {
            var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(loopback, 0));
            listener.Listen();
            var client = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
            return new ConnectedPair(listener, client, await listener.AcceptAsync());
        }

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            _accepted.Dispose();
            _listener.Dispose();
            return ValueTask.CompletedTask;
        }

        private static string InodeOf(Socket socket) =>
            new FileInfo($"/proc/self/fd/{socket.SafeHandle.DangerousGetHandle()}").LinkTarget!;
    }
}
