namespace Nbdmux.Domain.Exports;

/// <summary>A raw image file as found on disk when it was registered (its canonical path and identity).</summary>
public sealed record ImageFile
{
    public string Path { get; }
    public long SizeBytes { get; }
    public FileIdentity Identity { get; }
    public PartitionTable PartitionTable { get; }

    public ImageFile(string path, long sizeBytes, FileIdentity identity, PartitionTable partitionTable = PartitionTable.None)
    {
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(sizeBytes);
        Path = path;
        SizeBytes = sizeBytes;
        Identity = identity;
        PartitionTable = partitionTable;
    }
}
