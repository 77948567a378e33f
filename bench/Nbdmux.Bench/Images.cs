namespace Nbdmux.Bench;

/// <summary>Raw images filled with random bytes, so no server or client can skip holes or zeroes.</summary>
public static class Images
{
    public static string Create(string directory, string name, long bytes)
    {
        var path = Path.Combine(directory, name);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var block = new byte[Math.Min(bytes, 4L << 20)];
        for (long written = 0; written < bytes; written += block.Length)
        {
            Random.Shared.NextBytes(block);
            if (written == 0)
            {
                block[0] = 0; // no container magic that nbdmux's raw-image check refuses starts with a zero byte
            }

            file.Write(block, 0, (int)Math.Min(block.Length, bytes - written));
        }

        return path;
    }
}
