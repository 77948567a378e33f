using System.Runtime.InteropServices;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// The raw bytes of a zstd stream of one or more frames, unpacked by the system's libzstd
/// (<c>libzstd.so.1</c>, which Debian's dpkg itself depends on): the native decoder unpacks
/// several times faster than a managed port, and a warm's speed is mostly its unpacking.
/// Frame checksums are checked; a stream that ends inside a frame, or whose bytes are not zstd,
/// fails with an <see cref="InvalidDataException"/> saying what libzstd found.
/// </summary>
public sealed partial class ZstdStream : Stream
{
    private const string Library = "libzstd.so.1";

    private readonly Stream _packed;
    private readonly Decoder _decoder;
    private readonly byte[] _input;
    private int _inputStart;
    private int _inputEnd;
    private bool _packedEnded;

    /// <summary>A frame has begun and is not yet wholly unpacked and handed out.</summary>
    private bool _inFrame;

    public ZstdStream(Stream packed)
    {
        _packed = packed;
        _decoder = CreateDStream();
        if (_decoder.IsInvalid)
        {
            throw new InvalidOperationException($"{Library} could not allocate a decoder");
        }

        // libzstd's recommended input size: one whole block and its header per read of the source.
        _input = new byte[(int)DStreamInSize()];
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (_inputStart < _inputEnd || _inFrame)
            {
                var produced = Unpack(buffer.Span);
                if (produced > 0)
                {
                    return produced;
                }

                if (_inputStart < _inputEnd)
                {
                    continue;
                }
            }

            if (_packedEnded)
            {
                return _inFrame ? throw new InvalidDataException("the zstd stream ends inside a frame: it is cut short") : 0;
            }

            _inputStart = 0;
            _inputEnd = await _packed.ReadAsync(_input, cancellationToken);
            _packedEnded = _inputEnd == 0;
        }

        return 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>One step of the decoder over the input held; returns the bytes it wrote into <paramref name="output"/>.</summary>
    private unsafe int Unpack(Span<byte> output)
    {
        fixed (byte* outputBytes = output)
        fixed (byte* inputBytes = _input)
        {
            var outBuffer = new ZstdBuffer { Data = outputBytes, Size = (nuint)output.Length };
            var inBuffer = new ZstdBuffer { Data = inputBytes, Size = (nuint)_inputEnd, Position = (nuint)_inputStart };
            var result = DecompressStream(_decoder, ref outBuffer, ref inBuffer);
            if (IsError(result) != 0)
            {
                throw new InvalidDataException($"libzstd: {Marshal.PtrToStringUTF8(ErrorName(result))}");
            }

            _inputStart = (int)inBuffer.Position;

            // 0: the frame is complete and all of it handed out; anything else: more of it to come.
            _inFrame = result != 0;
            return (int)outBuffer.Position;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder.Dispose();
            _packed.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _decoder.Dispose();
        await _packed.DisposeAsync();
        await base.DisposeAsync();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>ZSTD_inBuffer and ZSTD_outBuffer, which have the same layout.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct ZstdBuffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Position;
    }

    /// <summary>A ZSTD_DStream*.</summary>
    private sealed class Decoder() : SafeHandle(IntPtr.Zero, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            FreeDStream(handle);
            return true;
        }
    }

    [LibraryImport(Library, EntryPoint = "ZSTD_createDStream")]
    private static partial Decoder CreateDStream();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDStream")]
    private static partial nuint FreeDStream(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "ZSTD_DStreamInSize")]
    private static partial nuint DStreamInSize();

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
    private static partial nuint DecompressStream(Decoder decoder, ref ZstdBuffer output, ref ZstdBuffer input);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    private static partial uint IsError(nuint result);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    private static partial IntPtr ErrorName(nuint result);
}
