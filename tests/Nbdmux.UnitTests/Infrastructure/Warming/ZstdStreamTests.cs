using System.Diagnostics;
using Nbdmux.Infrastructure.Warming;

namespace Nbdmux.UnitTests.Infrastructure.Warming;

/// <summary>The native zstd decoder against frames packed by the zstd tool.</summary>
public sealed class ZstdStreamTests
{
    private static readonly byte[] Image = MakeImage();

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(1000)]
    public async Task A_frame_unpacks_to_its_bytes_whatever_the_reads(int readBytes)
    {
        var packed = Pack(Image);

        Assert.Equal(Image, await UnpackAsync(packed, readBytes));
    }

    [Fact]
    public async Task Several_frames_one_after_the_other_unpack_to_their_bytes_in_turn()
    {
        var second = Image.AsSpan(0, 100_000).ToArray();
        var packed = Pack(Image).Concat(Pack([])).Concat(Pack(second, "--no-check")).ToArray();

        Assert.Equal(Image.Concat(second).ToArray(), await UnpackAsync(packed, 1 << 20));
    }

    [Fact]
    public async Task No_bytes_at_all_unpack_to_nothing() => Assert.Empty(await UnpackAsync([], 1 << 20));

    [Fact]
    public async Task A_frame_cut_short_fails_saying_so()
    {
        var packed = Pack(Image);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => UnpackAsync(packed[..(packed.Length / 2)], 1 << 20));
        Assert.Contains("cut short", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupted_frame_fails_with_what_libzstd_found()
    {
        var packed = Pack(Image);
        for (var i = packed.Length / 3; i < packed.Length / 3 + 64; i++)
        {
            packed[i] ^= 0x5a;
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => UnpackAsync(packed, 1 << 20));
        Assert.StartsWith("libzstd: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_zstd_fail_at_once()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => UnpackAsync(Image, 1 << 20));
        Assert.StartsWith("libzstd: ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Several MiB (many zstd blocks, more than one read of the source): data, zeros, and bytes that pack well.</summary>
    private static byte[] MakeImage()
    {
        var image = new byte[5 << 20];
        var random = new Random(14);
        random.NextBytes(image.AsSpan(0, 1 << 20));
        random.NextBytes(image.AsSpan(3 << 20));
        for (var i = 3 << 20; i < image.Length; i++)
        {
            image[i] &= 0x0f;
        }

        image[0] = 1;
        return image;
    }

    private static async Task<byte[]> UnpackAsync(byte[] packed, int readBytes)
    {
        await using var unpacked = new ZstdStream(new MemoryStream(packed));
        using var output = new MemoryStream();
        var buffer = new byte[readBytes];
        int read;
        while ((read = await unpacked.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    /// <summary>One frame, as the zstd tool packs it (with its checksum unless told otherwise).</summary>
    private static byte[] Pack(byte[] raw, params string[] options)
    {
        var start = new ProcessStartInfo("zstd", ["-c", "-q", .. options]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var zstd = Process.Start(start) ?? throw new InvalidOperationException("zstd did not start (apt-get install zstd)");
        using var packed = new MemoryStream();
        var reading = zstd.StandardOutput.BaseStream.CopyToAsync(packed);
        zstd.StandardInput.BaseStream.Write(raw);
        zstd.StandardInput.Close();
        reading.GetAwaiter().GetResult();
        zstd.WaitForExit();
        Assert.Equal(0, zstd.ExitCode);
        return packed.ToArray();
    }
}
