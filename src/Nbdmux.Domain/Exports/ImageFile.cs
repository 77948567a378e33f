namespace Nbdmux.Domain.Exports;

/// <summary>An image file as found on disk when it was registered.</summary>
public sealed record ImageFile
{
    public string Path { get; }
    public long SizeBytes { get; }

    public ImageFile(string path, long sizeBytes)
    {
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(sizeBytes);
        Path = path;
        SizeBytes = sizeBytes;
    }
}
