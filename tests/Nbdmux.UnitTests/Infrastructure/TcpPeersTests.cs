using System.Net;
using System.Net.Sockets;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure;

/// <summary>Both ways of finding a socket's peer (socket diagnostics, /proc/net) agree with the socket itself.</summary>
public class TcpPeersTests
{
    public static TheoryData<string> Loopbacks => ["127.0.0.1", "::1"];

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task Socket_diagnostics_name_the_peer_of_an_accepted_socket(string loopback)
    {
        await using var pair = await ConnectedPair.OpenAsync(IPAddress.Parse(loopback));

        var peers = SocketDiag.TcpPeersBySocketInode();

        Assert.NotNull(peers);
        Assert.Equal(pair.Client.LocalEndPoint!.ToString(), peers[pair.AcceptedInode]);
        Assert.DoesNotContain(pair.ListenerInode, peers.Keys);
    }

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task The_lookup_nbdmux_uses_agrees_with_proc_net_tcp(string loopback)
    {
        await using var pair = await ConnectedPair.OpenAsync(IPAddress.Parse(loopback));

        var fromProc = ProcNetTcp();

        Assert.Equal(pair.Client.LocalEndPoint!.ToString(), fromProc[pair.AcceptedInode]);
        Assert.Equal(fromProc[pair.AcceptedInode], TcpPeers.BySocketInode()[pair.AcceptedInode]);
    }

    /// <summary>What `ss` would say, read the slow way, independently of the code under test.</summary>
    private static Dictionary<string, string> ProcNetTcp()
    {
        var peers = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines("/proc/net/tcp").Skip(1).Concat(File.ReadAllLines("/proc/net/tcp6").Skip(1)))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var (address, port) = (columns[2].Split(':')[0], Convert.ToInt32(columns[2].Split(':')[1], 16));
            var bytes = Convert.FromHexString(address);
            for (var word = 0; word < bytes.Length; word += 4)
            {
                Array.Reverse(bytes, word, 4);
            }

            var ip = new IPAddress(bytes);
            peers[$"socket:[{columns[9]}]"] = new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, port).ToString();
        }

        return peers;
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
