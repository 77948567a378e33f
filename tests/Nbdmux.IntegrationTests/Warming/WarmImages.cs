using Nbdmux.Domain.Exports;

namespace Nbdmux.IntegrationTests.Warming;

/// <summary>
/// One raw image, mostly zeros (so a warm must leave holes), packed once in every warm format
/// with the real tools (gzip, zstd, xz, bzip2, qemu-img).
/// </summary>
public sealed class WarmImages : IDisposable
{
    public const int SizeBytes = 8 << 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("nbdmux-warm-images-").FullName;
    private readonly Dictionary<string, byte[]> _packed = new();

    public WarmImages()
    {
        Raw = new byte[SizeBytes];
        // An MBR signature, a megabyte of data, zeros, and data again in the last 64 KiB.
        var random = new Random(14);
        random.NextBytes(Raw.AsSpan(0, 1 << 20));
        random.NextBytes(Raw.AsSpan(SizeBytes - (64 << 10)));
        Raw[510] = 0x55;
        Raw[511] = 0xAA;
        var raw = Path.Combine(_directory, "disk.img");
        File.WriteAllBytes(raw, Raw);
        _packed[WarmFormat.Raw] = Raw;
        _packed[WarmFormat.Gzip] = Pack(raw, "gzip", "gzip", ["-c", raw]);
        _packed[WarmFormat.Zstd] = Pack(raw, "zstd", "zstd", ["-c", "-q", raw]);
        _packed[WarmFormat.Xz] = Pack(raw, "xz", "xz-utils", ["-c", "-T1", raw]);
        _packed[WarmFormat.Bzip2] = Pack(raw, "bzip2", "bzip2", ["-c", raw]);
        var qcow2 = Path.Combine(_directory, "disk.qcow2");
        Run("qemu-img", "qemu-utils", ["convert", "-f", "raw", "-O", "qcow2", raw, qcow2]);
        _packed[WarmFormat.Qcow2] = File.ReadAllBytes(qcow2);
    }

    public byte[] Raw { get; }

    public string Sha256 => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Raw));

    public byte[] Packed(string format) => _packed[format];

    public static TheoryData<string> Formats => new(WarmFormat.All);

    /// <summary>The suffix a URL of the format ends in.</summary>
    public static string Suffix(string format) => format == WarmFormat.Qcow2 ? ".qcow2" : "." + format;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Pack(string raw, string tool, string package, string[] args)
    {
        var packed = raw + "." + tool;
        using (var output = File.Create(packed))
        {
            var start = new System.Diagnostics.ProcessStartInfo(Prerequisites.Require(tool, package), args) { RedirectStandardOutput = true };
            using var process = System.Diagnostics.Process.Start(start)!;
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        return File.ReadAllBytes(packed);
    }

    private static void Run(string tool, string package, string[] args)
    {
        using var process = System.Diagnostics.Process.Start(Prerequisites.Require(tool, package), args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
