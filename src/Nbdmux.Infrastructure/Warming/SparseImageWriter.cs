using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// Writes an image into a new file, leaving every all-zero block unwritten so it stays a hole:
/// an image that is mostly empty takes only its data on disk. Hashes every byte, holes included,
/// when a digest is wanted.
/// </summary>
/// <remarks>
/// Where the filesystem allows it the file is written with O_DIRECT: the image must be on disk
/// before it is served anyway, and copying it into the page cache first cost the kernel more CPU
/// than unpacking it. Blocks are then written straight from the caller's memory when it is
/// block-aligned (<see cref="NewBuffer"/>), through a bounce buffer otherwise; the last block of
/// an image whose length is not a whole number of blocks is written padded with zeros and cut to
/// the length by <see cref="Complete"/>.
/// </remarks>
public sealed partial class SparseImageWriter : IDisposable
{
    /// <summary>The filesystem block size on every filesystem nbdmux expects; a smaller hole would not be one.</summary>
    public const int BlockSize = 4096;

    private const int BounceBytes = 16 * BlockSize;
    private const int GetFlags = 3; // F_GETFL
    private const int SetFlags = 4; // F_SETFL

    private readonly SafeFileHandle _file;
    private readonly IncrementalHash? _sha256;
    private Memory<byte> _bounce;

    public long Length { get; private set; }

    /// <summary>The file is written past the page cache (O_DIRECT).</summary>
    public bool Direct { get; }

    /// <param name="path">Created; it must not exist.</param>
    public SparseImageWriter(string path, bool hash)
    {
        _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: 0);
        _sha256 = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;

        // A filesystem without O_DIRECT (an older tmpfs, some FUSE) refuses it here: it is then written through the page cache.
        var flags = Fcntl(_file, GetFlags, 0);
        Direct = flags >= 0 && Fcntl(_file, SetFlags, flags | OpenFlags.Direct) == 0;
    }

    /// <summary>Memory for <see cref="Write"/> that it can hand to the disk as it is: block-aligned and never moved.</summary>
    public static Memory<byte> NewBuffer(int bytes)
    {
        var array = GC.AllocateUninitializedArray<byte>(bytes + BlockSize, pinned: true);
        return array.AsMemory(BlockSize - (int)(Address(array) % BlockSize), bytes);
    }

    /// <summary>Appends <paramref name="data"/>; only a final piece may end off a block boundary.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        _sha256?.AppendData(data);
        var offset = 0;
        while (offset < data.Length)
        {
            var zeros = ZeroRun(data[offset..]);
            offset += zeros;
            if (offset == data.Length)
            {
                break;
            }

            var rest = data[offset..];
            var dataRun = DataRun(rest);
            WriteAt(rest[..dataRun], Length + offset);
            offset += dataRun;
        }

        Length += data.Length;
    }

    /// <summary>Gives the file its full length (a trailing hole is only a length) and flushes it to disk.</summary>
    public void Complete()
    {
        RandomAccess.SetLength(_file, Length);
        RandomAccess.FlushToDisk(_file);
    }

    /// <summary>Lower-case hex SHA-256 of every byte written; null when not asked for.</summary>
    public string? Sha256() => _sha256 is null ? null : Convert.ToHexStringLower(_sha256.GetCurrentHash());

    public void Dispose()
    {
        _file.Dispose();
        _sha256?.Dispose();
    }

    private void WriteAt(ReadOnlySpan<byte> run, long offset)
    {
        if (!Direct || (run.Length % BlockSize == 0 && Address(run) % BlockSize == 0))
        {
            RandomAccess.Write(_file, run, offset);
            return;
        }

        if (_bounce.IsEmpty)
        {
            _bounce = NewBuffer(BounceBytes);
        }

        for (var done = 0; done < run.Length; done += BounceBytes)
        {
            var piece = run.Slice(done, Math.Min(BounceBytes, run.Length - done));
            var padded = (piece.Length + BlockSize - 1) / BlockSize * BlockSize;
            piece.CopyTo(_bounce.Span);
            _bounce.Span[piece.Length..padded].Clear();
            RandomAccess.Write(_file, _bounce.Span[..padded], offset + done);
        }
    }

    private static unsafe nuint Address(ReadOnlySpan<byte> memory)
    {
        fixed (byte* start = memory)
        {
            return (nuint)start;
        }
    }

    /// <summary>Bytes of whole zero blocks at the start (a partial last block counts when it is all zero).</summary>
    private static int ZeroRun(ReadOnlySpan<byte> data)
    {
        var run = 0;
        while (run < data.Length)
        {
            var block = data.Slice(run, Math.Min(BlockSize, data.Length - run));
            if (block.ContainsAnyExcept((byte)0))
            {
                break;
            }

            run += block.Length;
        }

        return run;
    }

    /// <summary>Bytes up to the next whole zero block (at least one block).</summary>
    private static int DataRun(ReadOnlySpan<byte> data)
    {
        var run = Math.Min(BlockSize, data.Length);
        while (run < data.Length)
        {
            var block = data.Slice(run, Math.Min(BlockSize, data.Length - run));
            if (!block.ContainsAnyExcept((byte)0))
            {
                break;
            }

            run += block.Length;
        }

        return run;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle file, int command, int argument);
}
