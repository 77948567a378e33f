using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// Walks the image roots for the files an operator may pick. Symlinks are skipped, never
/// followed, so a link to /etc or to a directory outside a root lists nothing; registering a
/// file still checks it as always.
/// </summary>
public sealed class ImageCatalog(ImageRoots roots) : IImageCatalog
{
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        MaxRecursionDepth = 16,
    };

    public IReadOnlyList<string> Roots => roots.Canonical;

    public IReadOnlyList<CatalogFile> Files() =>
        roots.Canonical
            // A root removed since start-up holds nothing to pick; start-up reports it next time.
            .Where(Directory.Exists)
            .SelectMany(root => new DirectoryInfo(root).EnumerateFiles("*", Walk))
            .Where(file => IsRegular(file.FullName))
            .Select(file => new CatalogFile(file.FullName, file.Length))
            .OrderBy(file => file.Path, StringComparer.Ordinal)
            .ToList();

    /// <summary>Not a fifo or a device, which a look at its first sectors could block on or disturb; a file gone meanwhile is left out.</summary>
    private static bool IsRegular(string path)
    {
        try
        {
            return FileStat.OfLink(path).Type == FileType.Regular;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
