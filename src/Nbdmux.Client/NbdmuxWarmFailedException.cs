namespace Nbdmux.Client;

/// <summary>A warm the client waited for ended failed; <see cref="Export"/> holds the record, with its error.</summary>
public sealed class NbdmuxWarmFailedException(NbdmuxExport export)
    : NbdmuxApiException($"the warm of {export.Name} failed: {export.Error}", statusCode: null)
{
    public NbdmuxExport Export { get; } = export;
}
