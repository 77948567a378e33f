namespace Nbdmux.Application.Common.Interfaces;

/// <summary>The files an operator can pick from: regular files beneath the image roots.</summary>
public interface IImageCatalog
{
    /// <summary>The image roots, canonical.</summary>
    IReadOnlyList<string> Roots { get; }

    /// <summary>
    /// Every regular file beneath the roots, by canonical path, sorted; symlinks (to files or
    /// directories) are not followed, so nothing outside a root is ever listed.
    /// </summary>
    IReadOnlyList<CatalogFile> Files();
}

public sealed record CatalogFile(string Path, long SizeBytes);
