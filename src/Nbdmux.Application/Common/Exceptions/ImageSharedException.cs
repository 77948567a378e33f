namespace Nbdmux.Application.Common.Exceptions;

/// <summary>
/// The file is already served under another name, and one of the two would write to it: the
/// other's readers would see a filesystem torn by a writer they know nothing of.
/// </summary>
public sealed class ImageSharedException(string file, string otherExport, bool otherWrites)
    : Exception(Describe(file, otherExport, otherWrites))
{
    public string OtherExport { get; } = otherExport;

    private static string Describe(string file, string otherExport, bool otherWrites) =>
        (otherWrites
            ? $"file '{file}' is already exported read-write as '{otherExport}'; exporting it again would show a filesystem torn by that writer. " +
              $"Remove '{otherExport}' or make it read-only or copy-on-write first"
            : $"file '{file}' is already exported as '{otherExport}'; writing to it under another name would tear the filesystem its readers see. " +
              $"Export it read-only or copy-on-write, or remove '{otherExport}' first") +
        ", or retry with force (?force=true; nbdmux CLI: --force).";
}
