using System.Security.Cryptography;
using System.Text;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Warming;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Infrastructure.Warming;

public sealed class WarmingPartsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nbdmux-warming-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_sparse_writer_leaves_zero_blocks_as_holes_and_keeps_every_byte()
    {
        var image = new byte[4 << 20];
        new Random(3).NextBytes(image.AsSpan(0, 8192));
        new Random(4).NextBytes(image.AsSpan((3 << 20) + 100, 5000));
        image[^1] = 7;
        var path = Path.Combine(_directory, "sparse.img");

        string? sha256;
        using (var writer = new SparseImageWriter(path, hash: true))
        {
            for (var offset = 0; offset < image.Length; offset += 1 << 20)
            {
                writer.Write(image.AsSpan(offset, 1 << 20));
            }

            writer.Complete();
            sha256 = writer.Sha256();
        }

        Assert.Equal(image, File.ReadAllBytes(path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(image)), sha256);
        Assert.True(DiskUsage.AllocatedBytes(path) <= 64 << 10, $"{DiskUsage.AllocatedBytes(path)} bytes allocated for 20 KiB of data");
    }

    [Fact]
    public void A_trailing_run_of_zeros_is_only_a_length()
    {
        var path = Path.Combine(_directory, "zeros.img");
        using (var writer = new SparseImageWriter(path, hash: false))
        {
            writer.Write(new byte[1 << 20]);
            writer.Write(new byte[1000]);
            writer.Complete();
            Assert.Null(writer.Sha256());
        }

        Assert.Equal((1 << 20) + 1000, new FileInfo(path).Length);
        Assert.Equal(0, DiskUsage.AllocatedBytes(path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Data_in_a_last_partial_block_is_kept_to_the_byte_from_aligned_memory_or_not(bool aligned)
    {
        var image = new byte[(2 << 20) + 5000];
        new Random(5).NextBytes(image.AsSpan(4096, 3 * 4096));
        new Random(6).NextBytes(image.AsSpan((2 << 20) + 4000));
        var path = Path.Combine(_directory, "tail.img");

        using (var writer = new SparseImageWriter(path, hash: false))
        {
            for (var offset = 0; offset < image.Length; offset += 1 << 20)
            {
                var piece = image.AsSpan(offset, Math.Min(1 << 20, image.Length - offset));
                if (aligned)
                {
                    var buffer = SparseImageWriter.NewBuffer(1 << 20);
                    piece.CopyTo(buffer.Span);
                    writer.Write(buffer.Span[..piece.Length]);
                }
                else
                {
                    // An odd address: what the writer cannot hand to the disk as it is.
                    writer.Write(piece.ToArray().Prepend((byte)0).ToArray().AsSpan(1));
                }
            }

            writer.Complete();
        }

        Assert.Equal(image, File.ReadAllBytes(path));
        Assert.True(DiskUsage.AllocatedBytes(path) <= 64 << 10, $"{DiskUsage.AllocatedBytes(path)} bytes allocated for 13 KiB of data");
    }

    [Theory]
    [InlineData(new byte[] { 0x1f, 0x8b, 8, 0 }, WarmFormat.Gzip)]
    [InlineData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0 }, WarmFormat.Zstd)]
    [InlineData(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0 }, WarmFormat.Xz)]
    [InlineData(new byte[] { 0x42, 0x5a, 0x68, 0x39 }, WarmFormat.Bzip2)]
    [InlineData(new byte[] { 0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3 }, WarmFormat.Qcow2)]
    [InlineData(new byte[] { 0xeb, 0x63, 0x90, 0 }, WarmFormat.Raw)]
    [InlineData(new byte[] { }, WarmFormat.Raw)]
    public void The_first_bytes_tell_the_packing(byte[] head, string format) => Assert.Equal(format, Unpacking.Sniff(head));

    [Fact]
    public void Through_a_withcache_a_source_is_asked_for_as_b_and_its_unpadded_base64url()
    {
        var sources = new WarmSources(new NbdmuxOptions { WithcacheUrl = "http://cache.lab:4041/" });
        var source = "https://images.example/a?b=c~d";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(source)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal($"http://cache.lab:4041/b/{encoded}", sources.Resolve(source).Url!.AbsoluteUri);
        Assert.True(sources.MayFollow(new Uri("http://cache.lab:4041/blobs/1")));
        Assert.False(sources.MayFollow(new Uri("http://cache.lab:4042/blobs/1")));
    }

    [Fact]
    public void A_prefix_source_is_fetched_directly_and_bounds_redirects()
    {
        var sources = new WarmSources(new NbdmuxOptions { WarmSources = ["https://Images.Example:443/pub/"] });

        Assert.Equal("https://images.example/pub/a.img", sources.Resolve("https://images.example/pub/a.img").Url!.AbsoluteUri);
        Assert.NotNull(sources.Resolve("https://images.example/private/a.img").Problem);
        Assert.True(sources.MayFollow(new Uri("https://images.example/pub/mirror/a.img")));
        Assert.False(sources.MayFollow(new Uri("https://images.example/pub/../etc/a")));
        Assert.False(sources.MayFollow(new Uri("file:///etc/passwd")));
    }
}
