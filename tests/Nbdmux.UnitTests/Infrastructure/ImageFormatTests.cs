using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.UnitTests.Infrastructure;

public class ImageFormatTests
{
    public static TheoryData<string, byte[], int> ContainerFormats() => new()
    {
        { "qcow2", [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3], 0 },
        { "VMDK", "KDMV"u8.ToArray(), 0 },
        { "VMDK descriptor", "# Disk DescriptorFile"u8.ToArray(), 0 },
        { "VHDX", "vhdxfile"u8.ToArray(), 0 },
        { "VHD", "conectix"u8.ToArray(), 0 },
        { "VDI", [0x7f, 0x10, 0xda, 0xbe], 0x40 },
        { "gzip", [0x1f, 0x8b, 0x08], 0 },
        { "zstd", [0x28, 0xb5, 0x2f, 0xfd], 0 },
        { "xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 0 },
        { "bzip2", "BZh9"u8.ToArray(), 0 },
    };

    [Theory]
    [MemberData(nameof(ContainerFormats))]
    public void Container_and_compressed_images_are_refused_by_name_with_what_to_do(string format, byte[] magic, int offset)
    {
        var refusal = ImageFormat.RefusalFor(Image(4096, (offset, magic)), "/images/x.img");

        Assert.NotNull(refusal);
        Assert.Contains($"is a {format} image", refusal);
        Assert.Matches("convert it|decompress it", refusal);
    }

    [Fact]
    public void A_fixed_vhd_is_recognised_by_its_footer() =>
        Assert.Contains("is a VHD image", ImageFormat.RefusalFor(Image(8192, (8192 - 512, "conectix"u8.ToArray())), "/x.vhd"));

    [Fact]
    public void Raw_images_pass_including_tiny_and_empty_ones()
    {
        Assert.Null(ImageFormat.RefusalFor(Image(1 << 20), "/raw.img"));
        Assert.Null(ImageFormat.RefusalFor(Image(3), "/tiny.img"));
        Assert.Null(ImageFormat.RefusalFor(Image(0), "/empty.img"));
    }

    [Fact]
    public void Partition_tables_are_recognised()
    {
        Assert.Equal(PartitionTable.Gpt, ImageFormat.PartitionTableOf(Image(4096, (510, [0x55, 0xAA]), (512, "EFI PART"u8.ToArray()))));
        Assert.Equal(PartitionTable.Mbr, ImageFormat.PartitionTableOf(Image(4096, (510, [0x55, 0xAA]))));
        Assert.Equal(PartitionTable.None, ImageFormat.PartitionTableOf(Image(4096)));
        Assert.Equal(PartitionTable.None, ImageFormat.PartitionTableOf(Image(100)));
    }

    private static MemoryStream Image(int size, params (int Offset, byte[] Bytes)[] contents)
    {
        var bytes = new byte[size];
        foreach (var (offset, data) in contents)
        {
            data.CopyTo(bytes, offset);
        }

        return new MemoryStream(bytes);
    }
}
