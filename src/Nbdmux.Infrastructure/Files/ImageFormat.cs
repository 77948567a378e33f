using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// nbd-server serves bytes as they are, so a container or compressed image would reach the
/// target as garbage. Recognised by magic bytes; anything else counts as raw.
/// </summary>
public static class ImageFormat
{
    private const int SectorSize = 512;

    private static readonly (string Name, int Offset, byte[] Magic, string Fix)[] NotRaw =
    [
        ("qcow2", 0, [0x51, 0x46, 0x49, 0xfb], "convert it: qemu-img convert -O raw IN.qcow2 OUT.img"),
        ("VMDK", 0, "KDMV"u8.ToArray(), "convert it: qemu-img convert -O raw IN.vmdk OUT.img"),
        ("VMDK descriptor", 0, "# Disk DescriptorFile"u8.ToArray(), "convert it: qemu-img convert -O raw IN.vmdk OUT.img"),
        ("VHDX", 0, "vhdxfile"u8.ToArray(), "convert it: qemu-img convert -O raw IN.vhdx OUT.img"),
        ("VHD", 0, "conectix"u8.ToArray(), "convert it: qemu-img convert -O raw IN.vhd OUT.img"),
        ("VDI", 0x40, [0x7f, 0x10, 0xda, 0xbe], "convert it: qemu-img convert -O raw IN.vdi OUT.img"),
        ("gzip", 0, [0x1f, 0x8b], "decompress it first: gunzip IMAGE"),
        ("zstd", 0, [0x28, 0xb5, 0x2f, 0xfd], "decompress it first: unzstd IMAGE"),
        ("xz", 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "decompress it first: unxz IMAGE"),
        ("bzip2", 0, "BZh"u8.ToArray(), "decompress it first: bunzip2 IMAGE"),
    ];

    private static readonly byte[] VhdFooter = "conectix"u8.ToArray();
    private static readonly byte[] GptSignature = "EFI PART"u8.ToArray();

    /// <summary>Why the image cannot be served raw (with what to do), or null when it is raw.</summary>
    public static string? RefusalFor(Stream image, string path)
    {
        var head = ReadAt(image, 0, 2 * SectorSize);
        foreach (var (name, offset, magic, fix) in NotRaw)
        {
            if (head.AsSpan().Length >= offset + magic.Length && head.AsSpan(offset, magic.Length).SequenceEqual(magic))
            {
                return Refusal(path, name, fix);
            }
        }

        // A fixed-size VHD keeps its only header in a footer in the last sector.
        return image.Length >= SectorSize && ReadAt(image, image.Length - SectorSize, VhdFooter.Length).SequenceEqual(VhdFooter)
            ? Refusal(path, "VHD", "convert it: qemu-img convert -O raw IN.vhd OUT.img")
            : null;
    }

    public static PartitionTable PartitionTableOf(Stream image)
    {
        var head = ReadAt(image, 0, 2 * SectorSize);
        if (head.Length >= 2 * SectorSize && head.AsSpan(SectorSize, GptSignature.Length).SequenceEqual(GptSignature))
        {
            return PartitionTable.Gpt;
        }

        return head.Length >= SectorSize && head[510] == 0x55 && head[511] == 0xAA ? PartitionTable.Mbr : PartitionTable.None;
    }

    private static string Refusal(string path, string format, string fix) =>
        $"file '{path}' is a {format} image, but nbdmux serves raw bytes: {fix.Replace("IMAGE", path)}, then register the raw file.";

    private static byte[] ReadAt(Stream image, long offset, int count)
    {
        var buffer = new byte[(int)Math.Min(count, Math.Max(0, image.Length - offset))];
        image.Position = offset;
        image.ReadExactly(buffer);
        return buffer;
    }
}
