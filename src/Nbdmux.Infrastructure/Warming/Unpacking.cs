using System.IO.Compression;
using Nbdmux.Domain.Exports;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Nbdmux.Infrastructure.Warming;

/// <summary>Streaming decompressors for each warm format, and the format of a source told by its first bytes.</summary>
public static class Unpacking
{
    /// <summary>Enough of the head of a source to tell its packing.</summary>
    public const int SniffBytes = 8;

    private static readonly (byte[] Magic, string Format)[] Magics =
    [
        ([0x1f, 0x8b], WarmFormat.Gzip),
        ([0x28, 0xb5, 0x2f, 0xfd], WarmFormat.Zstd),
        ([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], WarmFormat.Xz),
        ("BZh"u8.ToArray(), WarmFormat.Bzip2),
        ([0x51, 0x46, 0x49, 0xfb], WarmFormat.Qcow2),
    ];

    /// <summary>The packing the head's magic bytes name; raw when none does.</summary>
    public static string Sniff(ReadOnlySpan<byte> head)
    {
        foreach (var (magic, format) in Magics)
        {
            if (head.StartsWith(magic))
            {
                return format;
            }
        }

        return WarmFormat.Raw;
    }

    /// <summary>
    /// The raw bytes of <paramref name="packed"/>. qcow2 is not a stream format: its bytes are
    /// landed as they come and converted afterwards (<see cref="QemuImg"/>).
    /// </summary>
    public static Stream Open(string format, Stream packed) => format switch
    {
        WarmFormat.Raw or WarmFormat.Qcow2 => packed,
        WarmFormat.Gzip => new GZipStream(packed, CompressionMode.Decompress),
        WarmFormat.Zstd => new ZstdStream(packed),
        WarmFormat.Xz => new XZStream(packed),
        WarmFormat.Bzip2 => BZip2Stream.Create(packed, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a warm format."),
    };
}
