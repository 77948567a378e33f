using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>What nbd-server needs to know to serve one export.</summary>
/// <param name="FileIdentity">The file registered at <paramref name="FilePath"/>: nothing else is served under the name.</param>
public sealed record ServedExport(string Name, string FilePath, FileIdentity? FileIdentity, ExportAccess Access)
{
    public static ServedExport From(Export export) => new(export.Name, export.FilePath, export.FileIdentity, export.Access);
}
