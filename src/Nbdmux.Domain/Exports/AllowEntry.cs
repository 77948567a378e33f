using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Nbdmux.Domain.Exports;

/// <summary>
/// One entry of an export's allow list: an IPv4/IPv6 address or CIDR network, parsed strictly
/// (what .NET's parsers also accept, such as scope ids, "10.1", brackets or host bits, is
/// refused) and kept in canonical form. nbd-server reads its authfile line by line in 255-byte
/// pieces, so only parsed values may ever reach it.
/// </summary>
public sealed record AllowEntry
{
    /// <summary>The longest text of an address or network: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128".</summary>
    public const int MaxLength = 49;

    private const string Examples = "e.g. 10.1.2.3, 10.1.0.0/16, fd00::/64";

    /// <summary>The canonical text: a bare address stays bare; IPv6 is compressed and lower case.</summary>
    public string Text { get; }

    /// <summary>The network admitted; a bare address is a network of one.</summary>
    public IPNetwork Network { get; }

    private AllowEntry(string text, IPNetwork network)
    {
        Text = text;
        Network = network;
    }

    public static AllowEntry Parse(string? entry) =>
        TryParse(entry, out var parsed, out var problem) ? parsed : throw new ArgumentException(problem, nameof(entry));

    /// <param name="problem">Why the entry is refused and what to write instead.</param>
    public static bool TryParse(string? entry, [NotNullWhen(true)] out AllowEntry? parsed, [NotNullWhen(false)] out string? problem)
    {
        parsed = null;
        problem = Problem(entry);
        if (problem is not null)
        {
            return false;
        }

        var (addressText, prefixText) = entry!.Split('/') is [var a, var p] ? (a, p) : (entry, null);
        if (!TryParseAddress(addressText, out var address) || !TryParsePrefix(prefixText, address, out var prefix))
        {
            problem = $"allow entry '{entry}' is not an IP address or CIDR network ({Examples}).";
            return false;
        }

        var network = new IPNetwork(address, prefix);
        if (!network.BaseAddress.Equals(address))
        {
            problem = $"allow entry '{entry}' has host bits set; did you mean {network}?";
            return false;
        }

        parsed = new AllowEntry(prefixText is null ? address.ToString() : network.ToString(), network);
        return true;
    }

    /// <summary>What makes an entry unusable before it is parsed; the entry is not quoted when it holds characters a reader cannot see.</summary>
    private static string? Problem(string? entry)
    {
        if (string.IsNullOrEmpty(entry))
        {
            return $"allow entries must not be empty ({Examples}).";
        }

        if (entry.Any(IsControlOrLineSeparator))
        {
            return "allow entries must not contain control or line-separator characters: give one address or network per entry.";
        }

        if (entry.Any(char.IsWhiteSpace))
        {
            return $"allow entry '{entry}' contains whitespace: give one address or network per entry, without spaces.";
        }

        if (entry.Length > MaxLength)
        {
            return $"allow entry '{entry[..MaxLength]}...' is longer than {MaxLength} characters, more than any address or network.";
        }

        return entry.Contains('%')
            ? $"allow entry '{entry}' has a scope id ('%...'), which an allow list cannot use: leave it out."
            : null;
    }

    private static bool IsControlOrLineSeparator(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    /// <summary>
    /// IPv4 only as four decimal numbers (no "10.1", octal or hex forms, which mean other
    /// addresses than they seem to); IPv6 in any standard form, without brackets or port.
    /// </summary>
    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        if (!text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.') || !IPAddress.TryParse(text, out address))
        {
            address = null;
            return false;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 || address.ToString() == text;
    }

    private static bool TryParsePrefix(string? text, IPAddress address, out int prefix)
    {
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (text is null)
        {
            prefix = bits;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= bits;
    }
}
