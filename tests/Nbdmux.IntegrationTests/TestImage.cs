namespace Nbdmux.IntegrationTests;

/// <summary>
/// A raw image whose every 512-byte sector is filled with (seed + sector index), so any read
/// proves both which file is served and that the bytes come from the right place.
/// </summary>
public sealed record TestImage(string Path, byte Seed, int Sectors)
{
    public const int SectorSize = 512;

    public long SizeBytes => (long)Sectors * SectorSize;

    public static TestImage Create(string directory, string fileName, byte seed, int sectors = 2048)
    {
        var image = new TestImage(System.IO.Path.Combine(directory, fileName), seed, sectors);
        using var file = File.Create(image.Path);
        for (var sector = 0; sector < sectors; sector++)
        {
            file.Write(Enumerable.Repeat((byte)(seed + sector), SectorSize).ToArray());
        }

        return image;
    }

    public static bool IsSectorOf(byte seed, int sector, byte[] data) => data.All(b => b == (byte)(seed + sector));
}
