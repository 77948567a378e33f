using Nbdmux.Domain.Exports;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>What nbd-server needs to know to serve one export.</summary>
public sealed record ServedExport(string Name, string FilePath, ExportAccess Access)
{
    public static ServedExport From(Export export) => new(export.Name, export.FilePath, export.Access);
}
