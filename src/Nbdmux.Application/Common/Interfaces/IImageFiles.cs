using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>Looks at a would-be image file on the local disk.</summary>
public interface IImageFiles
{
    /// <summary>The file, or why it cannot be served (in words that say what to fix).</summary>
    ImageInspection Inspect(string path);

    /// <summary>
    /// Why a registered export cannot be served now (its path no longer names the registered file,
    /// or the file fails the registration checks), or null when it can.
    /// </summary>
    string? ProblemServing(ServedExport export);

    /// <summary>
    /// Why the registered path no longer names the registered file, or null while it does: the
    /// file's identity only, cheap enough to ask of every export every second.
    /// </summary>
    string? ChangeSinceRegistration(ServedExport export);
}

public sealed record ImageInspection(ImageFile? Image, string? Problem)
{
    public static ImageInspection Servable(ImageFile image) => new(image, null);

    public static ImageInspection Refused(string problem) => new(null, problem);
}
