using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Infrastructure.Files;

/// <summary>
/// Decides whether a path may be exported: a readable raw image, regular file, inside one of
/// the image roots once every symlink and `..` is resolved. The canonical path is what gets
/// served, so a link swapped later cannot redirect an export.
/// </summary>
public sealed class ImageFiles(NbdmuxOptions options) : IImageFiles
{
    public ImageInspection Inspect(string path)
    {
        if (RealPath.Of(path) is not { } canonical)
        {
            return ImageInspection.Refused($"file '{path}' does not exist on the nbdmux host.");
        }

        var roots = options.ImageRoots().Select(root => RealPath.Of(root) ?? root).ToList();
        if (!roots.Any(root => canonical.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal)))
        {
            var resolved = canonical == path ? "" : $" (it resolves to '{canonical}')";
            return ImageInspection.Refused(
                $"file '{path}'{resolved} is outside the image roots ({string.Join(", ", roots)}); move the image there or add its directory with --images-dir.");
        }

        switch (UnixFileStatus.TypeOf(canonical))
        {
            case UnixFileType.Directory:
                return ImageInspection.Refused($"file '{path}' is a directory; give the path of a raw disk image file.");
            case UnixFileType.Other:
                return ImageInspection.Refused($"file '{path}' is not a regular file (a device, FIFO or socket cannot be exported).");
        }

        try
        {
            using var image = new FileStream(canonical, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            return ImageFormat.RefusalFor(image, path) is { } refusal
                ? ImageInspection.Refused(refusal)
                : ImageInspection.Servable(new ImageFile(canonical, image.Length, ImageFormat.PartitionTableOf(image)));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return ImageInspection.Refused($"file '{path}' cannot be read by nbdmux: {e.Message}");
        }
    }
}
