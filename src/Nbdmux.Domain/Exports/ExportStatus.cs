namespace Nbdmux.Domain.Exports;

/// <summary>
/// Where an export stands, in the words of the Python nbdmux 0.2.1 that clients poll for
/// (snake_case on the wire and in the registry). A warm walks queued, fetching, decompressing
/// to ready or failed; a registered file is ready at once. Only the registry's five are stored:
/// unavailable and withheld describe a ready export the NBD server cannot or will not serve now.
/// </summary>
public enum ExportStatus
{
    /// <summary>A warm waiting for a free worker.</summary>
    Queued,

    /// <summary>A warm streaming its source through the decompressor into the image root.</summary>
    Fetching,

    /// <summary>A warm whose download is complete, being converted (qcow2) and verified.</summary>
    Decompressing,

    /// <summary>Served to new clients now.</summary>
    Ready,

    /// <summary>A warm that stopped; the reason is in the record's error. Registering it again retries.</summary>
    Failed,

    /// <summary>Ready, but the NBD server is not running, so nobody can connect.</summary>
    Unavailable,

    /// <summary>Registered, but nbdmux refuses to serve it; the reason is in the record's problem.</summary>
    Withheld,
}
