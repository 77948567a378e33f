using System.Net;

namespace Nbdmux.Domain.Exports;

/// <summary>
/// How targets may use an export: read-only, or each client on its own copy-on-write view
/// (writes never reach the image), and which client addresses may connect.
/// </summary>
public sealed record ExportAccess
{
    public bool ReadOnly { get; }
    public bool CopyOnWrite { get; }

    /// <summary>Addresses or CIDR networks admitted; null admits everyone.</summary>
    public IReadOnlyList<string>? Allow { get; }

    public ExportAccess(bool readOnly, bool copyOnWrite = false, IReadOnlyList<string>? allow = null)
    {
        if (readOnly && copyOnWrite)
        {
            throw new ArgumentException("A copy-on-write export is a writable view; it cannot also be read-only.");
        }

        if (allow is not null && (allow.Count == 0 || !allow.All(IsAddressOrNetwork)))
        {
            throw new ArgumentException("allow must list IP addresses or CIDR networks.", nameof(allow));
        }

        ReadOnly = readOnly;
        CopyOnWrite = copyOnWrite;
        Allow = allow?.ToArray();
    }

    public static ExportAccess ReadOnlyForEveryone { get; } = new(readOnly: true);

    public static bool IsAddressOrNetwork(string entry) =>
        IPNetwork.TryParse(entry, out _) || IPAddress.TryParse(entry, out _);

    public bool Equals(ExportAccess? other) =>
        other is not null && ReadOnly == other.ReadOnly && CopyOnWrite == other.CopyOnWrite &&
        (Allow ?? []).SequenceEqual(other.Allow ?? []) && (Allow is null) == (other.Allow is null);

    public override int GetHashCode() => HashCode.Combine(ReadOnly, CopyOnWrite, Allow?.Count);
}
