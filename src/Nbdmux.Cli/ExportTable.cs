using Nbdmux.Client;
using Nbdmux.Domain;

namespace Nbdmux.Cli;

/// <summary>The human form of `nbdmux ls`: one aligned row per export, sizes right-aligned.</summary>
public static class ExportTable
{
    private static readonly string[] Header = ["NAME", "FILE", "SIZE", "MODE", "CLIENTS", "STATUS"];
    private const int SizeColumn = 2;

    public static void Write(TextWriter output, IReadOnlyList<NbdmuxExport> exports)
    {
        AlignedTable.Write(
            output, Header,
            exports.Select(export => new[] { export.Name, export.File, Size(export), Mode(export), $"{export.ConnectionCount}", export.Status }),
            SizeColumn);
    }

    /// <summary>A warm not yet ready has no image to measure: "-" rather than a size of 0.</summary>
    private static string Size(NbdmuxExport export) =>
        export.SizeBytes == 0 && export.Status != "ready" ? "-" : ByteSize.Describe(export.SizeBytes);

    public static string Mode(NbdmuxExport export) => export.CopyOnWrite ? "cow" : export.Readonly ? "ro" : "rw";
}
