using System.Buffers.Binary;

namespace Nbdmux.Nbd;

/// <summary>An export negotiated with NBD_OPT_GO, in the transmission phase. One request at a time.</summary>
public sealed class NbdConnection : IAsyncDisposable
{
    private const uint RequestMagic = 0x25609513;
    private const uint SimpleReplyMagic = 0x67446698;
    private const ushort CommandRead = 0;
    private const ushort CommandWrite = 1;
    private const ushort CommandDisconnect = 2;
    private const ushort CommandFlush = 3;
    private const ushort FlagReadOnly = 1 << 1;

    private readonly Stream _stream;
    private ulong _nextCookie;
    private bool _disconnected;

    internal NbdConnection(Stream stream, long size, ushort transmissionFlags, string localEndPoint)
    {
        _stream = stream;
        Size = size;
        IsReadOnly = (transmissionFlags & FlagReadOnly) != 0;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>This side's address:port, as the server sees the peer.</summary>
    public string LocalEndPoint { get; }

    public long Size { get; }

    public bool IsReadOnly { get; }

    public async Task<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        await SendRequestAsync(CommandRead, offset, length, ReadOnlyMemory<byte>.Empty, cancellationToken);
        await ReadReplyAsync(cancellationToken);
        var data = new byte[length];
        await _stream.ReadExactlyAsync(data, cancellationToken);
        return data;
    }

    public async Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await SendRequestAsync(CommandWrite, offset, data.Length, data, cancellationToken);
        await ReadReplyAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendRequestAsync(CommandFlush, 0, 0, ReadOnlyMemory<byte>.Empty, cancellationToken);
        await ReadReplyAsync(cancellationToken);
    }

    /// <summary>Ends the session politely (NBD_CMD_DISC), as a real client does on unmount.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disconnected)
        {
            _disconnected = true;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await SendRequestAsync(CommandDisconnect, 0, 0, ReadOnlyMemory<byte>.Empty, timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The server is already gone; there is nobody left to tell.
            }
        }

        await _stream.DisposeAsync();
    }

    private async Task SendRequestAsync(
        ushort command, long offset, int length, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var request = new byte[28 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(request, RequestMagic);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), command);
        BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(8), ++_nextCookie);
        BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(16), (ulong)offset);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(24), (uint)length);
        data.Span.CopyTo(request.AsSpan(28));
        await _stream.WriteAsync(request, cancellationToken);
    }

    private async Task ReadReplyAsync(CancellationToken cancellationToken)
    {
        var reply = new byte[16];
        await _stream.ReadExactlyAsync(reply, cancellationToken);
        if (BinaryPrimitives.ReadUInt32BigEndian(reply) != SimpleReplyMagic ||
            BinaryPrimitives.ReadUInt64BigEndian(reply.AsSpan(8)) != _nextCookie)
        {
            throw new NbdProtocolException("Malformed reply from the NBD server.");
        }

        var error = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(4));
        if (error != 0)
        {
            throw new IOException($"The NBD server answered with error {error} (errno).");
        }
    }
}
