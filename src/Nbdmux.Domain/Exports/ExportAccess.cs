using System.Net;

namespace Nbdmux.Domain.Exports;

/// <summary>
/// How targets may use an export: read-only, or each client on its own copy-on-write view
/// (writes never reach the image), and which client addresses may connect.
/// </summary>
public sealed record ExportAccess
{
    /// <summary>More entries than a lab needs; wider networks cover more machines.</summary>
    public const int MaxAllowEntries = 256;

    public bool ReadOnly { get; }
    public bool CopyOnWrite { get; }

    /// <summary>Addresses or CIDR networks admitted, in canonical form; null admits everyone.</summary>
    public IReadOnlyList<string>? Allow { get; }

    /// <summary>The same entries parsed: what nbd-server is told to admit. Null admits everyone.</summary>
    public IReadOnlyList<IPNetwork>? Networks { get; }

    public ExportAccess(bool readOnly, bool copyOnWrite = false, IReadOnlyList<string>? allow = null)
    {
        if (readOnly && copyOnWrite)
        {
            throw new ArgumentException("A copy-on-write export is a writable view; it cannot also be read-only.");
        }

        if (allow is not null && AllowListProblem(allow) is { } problem)
        {
            throw new ArgumentException(problem, nameof(allow));
        }

        var entries = allow?.Select(AllowEntry.Parse).ToArray();
        ReadOnly = readOnly;
        CopyOnWrite = copyOnWrite;
        Allow = entries?.Select(entry => entry.Text).ToArray();
        Networks = entries?.Select(entry => entry.Network).ToArray();
    }

    /// <summary>Clients write to the image itself (not to private copy-on-write overlays).</summary>
    public bool WritesTheImage => !ReadOnly && !CopyOnWrite;

    public static ExportAccess ReadOnlyForEveryone { get; } = new(readOnly: true);

    /// <summary>What is wrong with the list as a whole (each entry is checked by <see cref="AllowEntry"/>).</summary>
    public static string? AllowListProblem(IReadOnlyCollection<string?> allow) => allow.Count switch
    {
        0 => "allow must list at least one address or network; omit it to admit every client.",
        > MaxAllowEntries => $"allow lists {allow.Count} entries, more than {MaxAllowEntries}; admit whole networks instead (e.g. 10.1.0.0/16).",
        _ => null,
    };

    public bool Equals(ExportAccess? other) =>
        other is not null && ReadOnly == other.ReadOnly && CopyOnWrite == other.CopyOnWrite &&
        (Allow ?? []).SequenceEqual(other.Allow ?? []) && (Allow is null) == (other.Allow is null);

    public override int GetHashCode() => HashCode.Combine(ReadOnly, CopyOnWrite, Allow?.Count);
}
