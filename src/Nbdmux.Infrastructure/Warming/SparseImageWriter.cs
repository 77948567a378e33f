using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>
/// Writes an image into a new file, leaving every all-zero block unwritten so it stays a hole:
/// an image that is mostly empty takes only its data on disk. Hashes every byte, holes included,
/// when a digest is wanted.
/// </summary>
public sealed class SparseImageWriter : IDisposable
{
    /// <summary>The filesystem block size on every filesystem nbdmux expects; a smaller hole would not be one.</summary>
    public const int BlockSize = 4096;

    private readonly SafeFileHandle _file;
    private readonly IncrementalHash? _sha256;

    public long Length { get; private set; }

    /// <param name="path">Created; it must not exist.</param>
    public SparseImageWriter(string path, bool hash)
    {
        _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: 0);
        _sha256 = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
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
            RandomAccess.Write(_file, rest[..dataRun], Length + offset);
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
}
