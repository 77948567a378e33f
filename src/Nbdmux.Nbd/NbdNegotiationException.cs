namespace Nbdmux.Nbd;

/// <summary>The server refused to negotiate the export (an NBD_REP_ERR_* reply).</summary>
public sealed class NbdNegotiationException(string exportName, uint reply, string serverMessage)
    : NbdProtocolException($"The NBD server refused export '{exportName}': {Describe(reply)}{(serverMessage.Length > 0 ? $" ({serverMessage})" : "")}.")
{
    internal const uint ErrorBit = 1u << 31;
    private const uint ErrorPolicy = ErrorBit | 2;
    private const uint ErrorUnknown = ErrorBit | 6;

    public uint Reply { get; } = reply;

    /// <summary>The server has no export by that name.</summary>
    public bool IsUnknownExport => Reply == ErrorUnknown;

    /// <summary>The export exists but this client may not use it (nbd-server's authfile).</summary>
    public bool IsRefusedByPolicy => Reply == ErrorPolicy;

    private static string Describe(uint reply) => reply switch
    {
        ErrorUnknown => "no such export",
        ErrorPolicy => "refused by server policy",
        _ => $"error reply 0x{reply:x8}",
    };
}
