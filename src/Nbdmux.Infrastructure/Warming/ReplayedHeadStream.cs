namespace Nbdmux.Infrastructure.Warming;

/// <summary>A stream whose first bytes were read ahead (to tell its format), read again from its start.</summary>
public sealed class ReplayedHeadStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
{
    private ReadOnlyMemory<byte> _head = head;
    private long _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int count;
        if (_head.IsEmpty)
        {
            count = await rest.ReadAsync(buffer, cancellationToken);
        }
        else
        {
            count = Math.Min(buffer.Length, _head.Length);
            _head[..count].CopyTo(buffer);
            _head = _head[count..];
        }

        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    /// <summary>Bytes read so far (the xz decoder checks its block padding by it).</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
