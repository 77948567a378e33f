namespace Nbdmux.Client;

/// <param name="Export">The export as now served.</param>
/// <param name="Created">True when the name was new, false when an existing export was replaced or already so.</param>
/// <param name="Changed">False when the export already served this file with this access: nothing changed.</param>
public sealed record AddExportResult(NbdmuxExport Export, bool Created, bool Changed = true);
