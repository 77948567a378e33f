using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Files;

public sealed class ImageFiles : IImageFiles
{
    public ImageInspection Inspect(string path)
    {
        switch (UnixFileStatus.TypeOf(path))
        {
            case UnixFileType.Missing:
                return ImageInspection.Refused($"file '{path}' does not exist on the nbdmux host.");
            case UnixFileType.Directory:
                return ImageInspection.Refused($"file '{path}' is a directory; give the path of a raw disk image file.");
            case UnixFileType.Other:
                return ImageInspection.Refused($"file '{path}' is not a regular file (a device, FIFO or socket cannot be exported).");
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            return ImageInspection.Servable(new ImageFile(path, RandomAccess.GetLength(handle)));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return ImageInspection.Refused($"file '{path}' cannot be read by nbdmux: {e.Message}");
        }
    }
}
