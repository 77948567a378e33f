using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nbdmux.Nbd;

/// <summary>
/// A minimal client for the NBD fixed-newstyle protocol: enough to negotiate an export the way
/// nbd-client and QEMU do (NBD_OPT_GO) and to read or write it. The supervisor uses it to prove
/// that a change is live before the API acknowledges it.
/// </summary>
public static class NbdClient
{
    private const ulong InitMagic = 0x4e42444d41474943; // "NBDMAGIC"
    private const ulong OptionMagic = 0x49484156454F5054; // "IHAVEOPT"
    private const ulong OptionReplyMagic = 0x3e889045565a9;
    private const ushort FlagFixedNewstyle = 1;
    private const ushort FlagNoZeroes = 2;
    private const uint OptionGo = 7;
    private const uint ReplyAck = 1;
    private const uint ReplyInfo = 3;
    private const ushort InfoExport = 0;
    private const int TcpQuickAck = 12; // TCP_QUICKACK, linux/tcp.h

    public static async Task<NbdConnection> ConnectAsync(
        IPEndPoint endpoint, string exportName, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var (size, flags) = await NegotiateAsync(new HandshakeStream(socket, stream), exportName, cancellationToken);
            return new NbdConnection(stream, size, flags, socket.LocalEndPoint!.ToString()!);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<(long Size, ushort Flags)> NegotiateAsync(
        HandshakeStream stream, string exportName, CancellationToken cancellationToken)
    {
        var greeting = new byte[18];
        await stream.ReadExactlyAsync(greeting, cancellationToken);
        if (BinaryPrimitives.ReadUInt64BigEndian(greeting) != InitMagic ||
            BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)) != OptionMagic)
        {
            throw new NbdProtocolException("The peer is not a fixed-newstyle NBD server.");
        }

        var serverFlags = BinaryPrimitives.ReadUInt16BigEndian(greeting.AsSpan(16));
        var clientFlags = (uint)(serverFlags & (FlagFixedNewstyle | FlagNoZeroes));
        await stream.WriteAsync(BigEndian(clientFlags), cancellationToken);

        var name = Encoding.UTF8.GetBytes(exportName);
        var payload = new byte[4 + name.Length + 2];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)name.Length);
        name.CopyTo(payload, 4);
        await WriteOptionAsync(stream, OptionGo, payload, cancellationToken);

        long? size = null;
        ushort transmissionFlags = 0;
        while (true)
        {
            var (type, data) = await ReadOptionReplyAsync(stream, OptionGo, cancellationToken);
            if (type == ReplyAck)
            {
                return size is { } known
                    ? (known, transmissionFlags)
                    : throw new NbdProtocolException("The server accepted the export without saying its size.");
            }

            if ((type & NbdNegotiationException.ErrorBit) != 0)
            {
                throw new NbdNegotiationException(exportName, type, Encoding.UTF8.GetString(data));
            }

            if (type == ReplyInfo && data.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(data) == InfoExport)
            {
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2));
                transmissionFlags = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(10));
            }
        }
    }

    private static async Task WriteOptionAsync(HandshakeStream stream, uint option, byte[] payload, CancellationToken cancellationToken)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(header, OptionMagic);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), (uint)payload.Length);
        await stream.WriteAsync(header.Concat(payload).ToArray(), cancellationToken);
    }

    private static async Task<(uint Type, byte[] Data)> ReadOptionReplyAsync(
        HandshakeStream stream, uint option, CancellationToken cancellationToken)
    {
        var header = new byte[20];
        await stream.ReadExactlyAsync(header, cancellationToken);
        if (BinaryPrimitives.ReadUInt64BigEndian(header) != OptionReplyMagic ||
            BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)) != option)
        {
            throw new NbdProtocolException("Malformed option reply from the NBD server.");
        }

        var type = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
        if (length > 64 * 1024)
        {
            throw new NbdProtocolException($"Option reply of {length} bytes is larger than any this client expects.");
        }

        var data = new byte[length];
        await stream.ReadExactlyAsync(data, cancellationToken);
        return (type, data);
    }

    /// <summary>
    /// nbd-server writes an option reply's header and its data separately, without TCP_NODELAY,
    /// so Nagle holds the data back until this side acknowledges the header, which Linux delays
    /// by up to 40 ms: every reply would cost that much. Asking for an immediate ACK before each
    /// read (the kernel clears the flag again on its own) makes a handshake take microseconds.
    /// </summary>
    private sealed class HandshakeStream(Socket socket, NetworkStream stream)
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            stream.WriteAsync(data, cancellationToken);

        public ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            socket.SetRawSocketOption((int)ProtocolType.Tcp, TcpQuickAck, BitConverter.GetBytes(1));
            return stream.ReadExactlyAsync(buffer, cancellationToken);
        }
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
