using Nbdmux.Client;
using Nbdmux.Domain;

namespace Nbdmux.Cli;

/// <summary>The human form of `nbdmux images`: one aligned row per file, and why a file cannot be exported.</summary>
public static class ImageTable
{
    private static readonly string[] Header = ["PATH", "SIZE", "EXPORTABLE", "EXPORTS"];
    private const int SizeColumn = 1;

    public static void Write(TextWriter output, NbdmuxImagePage page)
    {
        if (page.Total == 0)
        {
            output.WriteLine($"no files in {string.Join(", ", page.Roots)}; put raw images there to export them");
            return;
        }

        AlignedTable.Write(
            output, Header,
            page.Images.Select(image => new[]
            {
                image.Path, ByteSize.Describe(image.SizeBytes),
                image.Servable ? $"yes ({image.PartitionTable})" : "no", image.Exports.Count > 0 ? string.Join(",", image.Exports) : "-",
            }),
            SizeColumn);

        foreach (var image in page.Images.Where(image => image.Problem is not null))
        {
            output.WriteLine($"{image.Path}: {image.Problem}");
        }

        var shown = (page.Page - 1) * page.PageSize + page.Images.Count;
        if (shown < page.Total)
        {
            output.WriteLine($"{page.Total - shown} more; see --page {page.Page + 1}");
        }
    }
}
