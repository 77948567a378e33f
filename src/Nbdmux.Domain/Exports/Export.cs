namespace Nbdmux.Domain.Exports;

/// <summary>A disk image file registered under a name that network-booting targets ask for.</summary>
public sealed class Export
{
    public string Name { get; private set; } = null!;
    public string FilePath { get; private set; } = null!;
    public bool ReadOnly { get; private set; }
    public long SizeBytes { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private Export()
    {
    }

    public static Export Register(string name, ImageFile image, bool readOnly, DateTimeOffset now)
    {
        if (!ExportName.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid export name.", nameof(name));
        }

        return new Export
        {
            Name = name,
            FilePath = image.Path,
            SizeBytes = image.SizeBytes,
            ReadOnly = readOnly,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    public bool IsServedAs(ImageFile image, bool readOnly) =>
        FilePath == image.Path && SizeBytes == image.SizeBytes && ReadOnly == readOnly;

    /// <summary>Points the name at another file or mode; the creation time is kept.</summary>
    public void Replace(ImageFile image, bool readOnly, DateTimeOffset now)
    {
        FilePath = image.Path;
        SizeBytes = image.SizeBytes;
        ReadOnly = readOnly;
        UpdatedAt = now;
    }
}
