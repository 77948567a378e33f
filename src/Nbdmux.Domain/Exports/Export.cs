namespace Nbdmux.Domain.Exports;

/// <summary>A disk image file registered under a name that network-booting targets ask for.</summary>
public sealed class Export
{
    public string Name { get; private set; } = null!;
    public string FilePath { get; private set; } = null!;
    public long SizeBytes { get; private set; }

    /// <summary>The file registered at <see cref="FilePath"/>; null while a warm has yet to land it, and on rows from before nbdmux recorded it.</summary>
    public FileIdentity? FileIdentity { get; private set; }

    public PartitionTable PartitionTable { get; private set; }
    public bool ReadOnly { get; private set; }
    public bool CopyOnWrite { get; private set; }
    public IReadOnlyList<string>? Allow { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Ready for a registered file; a warmed export walks from queued to ready or failed.</summary>
    public ExportStatus Status { get; private set; } = ExportStatus.Ready;

    /// <summary>Null for an export registered with a file.</summary>
    public WarmSource? Source { get; private set; }

    /// <summary>Bytes the source announced (its Content-Length), while known.</summary>
    public long? BytesTotal { get; private set; }

    /// <summary>Bytes fetched from the source so far.</summary>
    public long? BytesDone { get; private set; }

    /// <summary>Why the last warm failed.</summary>
    public string? Error { get; private set; }

    public DateTimeOffset? EnqueuedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>The node whose warmer runs the warm, once it has started; nodes sharing a registry take each other's warms only from nodes that are down.</summary>
    public string? WarmNode { get; private set; }

    private Export()
    {
    }

    public ExportAccess Access => new(ReadOnly, CopyOnWrite, Allow);

    /// <summary>A warm is waiting or running: nothing is served under the name yet.</summary>
    public bool IsWarming => Status is ExportStatus.Queued or ExportStatus.Fetching or ExportStatus.Decompressing;

    /// <summary>Percent of <see cref="BytesTotal"/> done, one decimal, while the total is known.</summary>
    public double? Progress => BytesTotal is > 0 && BytesDone is { } done ? Math.Round(Math.Min(100.0, done * 100.0 / BytesTotal.Value), 1) : null;

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

    /// <summary>A name whose image is yet to be fetched from <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static Export Warm(string name, string target, WarmSource source, ExportAccess access, DateTimeOffset now)
    {
        if (!ExportName.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid export name.", nameof(name));
        }

        var export = new Export { Name = name, CreatedAt = now };
        export.QueueWarm(target, source, access, now);
        return export;
    }

    /// <summary>
    /// Whether warming <paramref name="source"/> again would only repeat what is done or under way
    /// (so a client that asks again is answered the record as it stands).
    /// </summary>
    public bool IsWarmedFrom(WarmSource source, ExportAccess access) =>
        Source is { } current && current.Url == source.Url && current.Sha256 == source.Sha256 &&
        (source.Format is null || source.Format == current.Format) && Access.Equals(access) && Status != ExportStatus.Failed;

    /// <summary>
    /// Starts the name's warm over (a new source, or a retry after a failure): nothing is served
    /// under the name until the warm is ready.
    /// </summary>
    public void QueueWarm(string target, WarmSource source, ExportAccess access, DateTimeOffset now)
    {
        if (!System.IO.Path.IsPathFullyQualified(target))
        {
            throw new ArgumentException($"'{target}' is not an absolute path.", nameof(target));
        }

        FilePath = target;
        FileIdentity = null;
        SizeBytes = 0;
        PartitionTable = PartitionTable.None;
        Source = source;
        ReadOnly = access.ReadOnly;
        CopyOnWrite = access.CopyOnWrite;
        Allow = access.Allow;
        Status = ExportStatus.Queued;
        BytesTotal = null;
        BytesDone = 0;
        Error = null;
        EnqueuedAt = now;
        StartedAt = null;
        CompletedAt = null;
        WarmNode = null;
        UpdatedAt = now;
    }

    /// <summary>The node running the warm stopped: it is queued again, to start over on whichever node takes it.</summary>
    public void WarmInterrupted()
    {
        Status = ExportStatus.Queued;
        WarmNode = null;
    }

    public void WarmStarted(DateTimeOffset now, string node)
    {
        Status = ExportStatus.Fetching;
        WarmNode = node;
        StartedAt = now;
        BytesDone = 0;
        BytesTotal = null;
    }

    public void WarmProgressed(ExportStatus phase, long bytesDone, long? bytesTotal)
    {
        if (phase is not (ExportStatus.Fetching or ExportStatus.Decompressing))
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "a warm in progress is fetching or decompressing.");
        }

        Status = phase;
        BytesDone = bytesDone;
        BytesTotal = bytesTotal;
    }

    /// <summary>The packing, told by the first bytes fetched when neither the caller nor the URL told it.</summary>
    public void WarmFormatFound(string format) => Source = Source! with { Format = format };

    public void WarmFailed(string error, DateTimeOffset now)
    {
        Status = ExportStatus.Failed;
        Error = error;
        CompletedAt = now;
    }

    /// <summary>The warmed image, checked as at registration, is what the name serves from now on.</summary>
    public void WarmReady(ImageFile image, DateTimeOffset now)
    {
        ApplyImage(image, Access, now);
        Status = ExportStatus.Ready;
        CompletedAt = now;
    }

    public bool IsServedAs(ImageFile image, ExportAccess access) =>
        FilePath == image.Path && FileIdentity == image.Identity && SizeBytes == image.SizeBytes && PartitionTable == image.PartitionTable && Access.Equals(access);

    /// <summary>Points the name at another file or access; the creation time is kept.</summary>
    public void Replace(ImageFile image, ExportAccess access, DateTimeOffset now)
    {
        ApplyImage(image, access, now);
        Status = ExportStatus.Ready;
        Source = null;
        BytesTotal = null;
        BytesDone = null;
        Error = null;
        EnqueuedAt = null;
        StartedAt = null;
        CompletedAt = null;
        WarmNode = null;
    }

    private void ApplyImage(ImageFile image, ExportAccess access, DateTimeOffset now)
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
