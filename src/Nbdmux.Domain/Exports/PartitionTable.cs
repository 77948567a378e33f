namespace Nbdmux.Domain.Exports;

/// <summary>What the first sectors of a raw image say about its layout.</summary>
public enum PartitionTable
{
    /// <summary>No partition table: a bare filesystem, or empty.</summary>
    None,
    Mbr,
    Gpt,
}
