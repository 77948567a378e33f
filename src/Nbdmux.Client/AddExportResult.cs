namespace Nbdmux.Client;

/// <param name="Export">The export as now served.</param>
/// <param name="Created">True when the name was new, false when an existing export was replaced.</param>
public sealed record AddExportResult(NbdmuxExport Export, bool Created);
