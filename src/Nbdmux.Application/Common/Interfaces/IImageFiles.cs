using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>Looks at a would-be image file on the local disk.</summary>
public interface IImageFiles
{
    /// <summary>The file, or why it cannot be served (in words that say what to fix).</summary>
    ImageInspection Inspect(string path);
}

public sealed record ImageInspection(ImageFile? Image, string? Problem)
{
    public static ImageInspection Servable(ImageFile image) => new(image, null);

    public static ImageInspection Refused(string problem) => new(null, problem);
}
