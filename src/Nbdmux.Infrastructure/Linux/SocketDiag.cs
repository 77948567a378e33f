using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// The kernel's socket-diagnostics interface (NETLINK_SOCK_DIAG, what `ss` uses): every TCP
/// socket's inode and remote end in a fraction of a millisecond, where reading /proc/net/tcp
/// grows with the size of the kernel's connection hash, which is large on hosts with much memory.
/// </summary>
public static partial class SocketDiag
{
    private const int AfNetlink = 16;
    private const int SockRawCloexec = 3 | 0x80000; // SOCK_RAW | SOCK_CLOEXEC
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300; // NLM_F_ROOT | NLM_F_MATCH
    private const ushort NlmsgDone = 3;
    private const ushort NlmsgError = 2;
    private const int NlmsgHeaderLength = 16;
    private const int RequestLength = NlmsgHeaderLength + 56; // + struct inet_diag_req_v2
    private const uint AllButListening = ~(1u << 10);         // TCP_LISTEN is state 10

    /// <summary>"socket:[inode]" to "address:port" of the peer, or null if the kernel refuses the query.</summary>
    /// <remarks>.NET's Socket does not open netlink sockets, hence libc.</remarks>
    public static Dictionary<string, string>? TcpPeersBySocketInode()
    {
        var fd = OpenSocket(AfNetlink, SockRawCloexec, NetlinkSockDiag);
        if (fd < 0)
        {
            return null;
        }

        using var netlink = new SafeFileHandle(fd, ownsHandle: true);
        var peers = new Dictionary<string, string>();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            if (!Dump(netlink, family, peers))
            {
                return null;
            }
        }

        return peers;
    }

    private static bool Dump(SafeFileHandle netlink, AddressFamily family, Dictionary<string, string> peers)
    {
        var request = Request(family);
        if (Send(netlink, request, request.Length, 0) != request.Length)
        {
            return false;
        }

        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = (int)Receive(netlink, buffer, buffer.Length, 0);
            if (received <= 0)
            {
                return false;
            }

            for (var offset = 0; offset + NlmsgHeaderLength <= received;)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
                var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 4));
                if (type == NlmsgDone)
                {
                    return true;
                }

                if (type == NlmsgError || length < NlmsgHeaderLength || offset + length > received)
                {
                    return false;
                }

                if (type == SockDiagByFamily)
                {
                    Add(buffer.AsSpan(offset + NlmsgHeaderLength, length - NlmsgHeaderLength), peers);
                }

                offset += (length + 3) & ~3;
            }
        }
    }

    /// <summary>struct inet_diag_msg: family, state, timer, retrans, then the socket id, ..., inode at 68.</summary>
    private static void Add(ReadOnlySpan<byte> message, Dictionary<string, string> peers)
    {
        if (message.Length < 72)
        {
            return;
        }

        var family = (AddressFamily)message[0];
        var port = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var address = new IPAddress(family == AddressFamily.InterNetwork ? message.Slice(24, 4) : message.Slice(24, 16));
        var inode = BinaryPrimitives.ReadUInt32LittleEndian(message[68..]);
        peers[$"socket:[{inode}]"] = TcpPeers.Text(address, port);
    }

    private static byte[] Request(AddressFamily family)
    {
        var request = new byte[RequestLength];
        BinaryPrimitives.WriteUInt32LittleEndian(request, RequestLength);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), SockDiagByFamily);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), NlmFRequest | NlmFDump);
        request[NlmsgHeaderLength] = (byte)(family == AddressFamily.InterNetwork ? 2 : 10); // AF_INET, AF_INET6
        request[NlmsgHeaderLength + 1] = (byte)ProtocolType.Tcp;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(NlmsgHeaderLength + 4), AllButListening);
        return request;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int OpenSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint Send(SafeFileHandle socket, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Receive(SafeFileHandle socket, byte[] buffer, nint length, int flags);
}
