namespace Nbdmux.Domain.Exports;

/// <summary>A disk image file registered under a name that network-booting targets ask for.</summary>
public sealed class Export
{
    public string Name { get; private set; } = null!;
    public string FilePath { get; private set; } = null!;
    public long SizeBytes { get; private set; }

    /// <summary>The file registered at <see cref="FilePath"/>; null only on rows from before nbdmux recorded it.</summary>
    public FileIdentity? FileIdentity { get; private set; }

    public PartitionTable PartitionTable { get; private set; }
    public bool ReadOnly { get; private set; }
    public bool CopyOnWrite { get; private set; }
    public IReadOnlyList<string>? Allow { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private Export()
    {
    }

    public ExportAccess Access => new(ReadOnly, CopyOnWrite, Allow);

    public static Export Register(string name, ImageFile image, ExportAccess access, DateTimeOffset now)
    {
        if (!ExportName.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid export name.", nameof(name));
        }

        var export = new Export { Name = name, CreatedAt = now };
        export.Replace(image, access, now);
        return export;
    }

    public bool IsServedAs(ImageFile image, ExportAccess access) =>
        FilePath == image.Path && FileIdentity == image.Identity && SizeBytes == image.SizeBytes && PartitionTable == image.PartitionTable && Access.Equals(access);

    /// <summary>Points the name at another file or access; the creation time is kept.</summary>
    public void Replace(ImageFile image, ExportAccess access, DateTimeOffset now)
    {
        FilePath = image.Path;
        FileIdentity = image.Identity;
        SizeBytes = image.SizeBytes;
        PartitionTable = image.PartitionTable;
        ReadOnly = access.ReadOnly;
        CopyOnWrite = access.CopyOnWrite;
        Allow = access.Allow;
        UpdatedAt = now;
    }

    /// <summary>For a row from before identities were recorded, once its file passed the registration checks again.</summary>
    public void RecordFileIdentity(FileIdentity identity) => FileIdentity = identity;
}
