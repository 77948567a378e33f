using Microsoft.Win32.SafeHandles;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// An image file opened beneath its image root and checked on its descriptor (regular file, raw,
/// not empty, identity). Whatever a server is given is derived from <see cref="Handle"/>, never
/// from a path.
/// </summary>
public sealed class VerifiedImage(OpenedFile file, string root, string relativePath, PartitionTable partitionTable) : IDisposable
{
    /// <summary>An O_PATH handle on the file itself.</summary>
    public SafeFileHandle Handle => file.Handle;

    public string Root => root;

    public string RelativePath => relativePath;

    public string FullPath => Path.Join(root, relativePath);

    public FileIdentity Identity => file.Stat.Identity;

    public long SizeBytes => file.Stat.Size;

    public PartitionTable PartitionTable => partitionTable;

    public ImageFile ToImageFile() => new(FullPath, SizeBytes, Identity, PartitionTable);

    public void Dispose() => file.Dispose();
}
