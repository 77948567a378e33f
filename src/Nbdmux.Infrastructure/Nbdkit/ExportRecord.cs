using System.Net;
using System.Text;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The text of exports/NAME, the one thing the plugin learns about an export: `key=value`
/// lines in the order and form the plugin's parser demands, built from parsed values only.
/// </summary>
public static class ExportRecord
{
    /// <summary>The plugin refuses longer records as invalid.</summary>
    public const int MaxBytes = 64 * 1024;

    public static string Render(PublishedImage image, ExportAccess access)
    {
        var text = new StringBuilder()
            .Append("version=1\n")
            .Append($"root={image.Root}\n")
            .Append($"root_dev={image.RootDevice}\n")
            .Append($"root_ino={image.RootInode}\n")
            .Append($"path={image.RelativePath}\n")
            .Append($"dev={image.Device}\n")
            .Append($"ino={image.Inode}\n")
            .Append($"mode={Mode(access)}\n");
        foreach (var entry in access.Allow?.Select(CanonicalNetwork) ?? ["everyone"])
        {
            text.Append($"allow={entry}\n");
        }

        return text.ToString();
    }

    private static string Mode(ExportAccess access) =>
        access.ReadOnly ? "ro" : access.CopyOnWrite ? "cow" : "rw";

    /// <summary>
    /// An allow entry as the plugin compares it: a network with its host bits cleared, a bare
    /// address as a one-address network. The plugin matches numbers only, so an IPv6 scope id
    /// (meaningless to it) is dropped, and an IPv4-mapped IPv6 entry is written as the IPv4
    /// network it means, since the plugin compares an IPv4 client on an IPv6 socket as IPv4.
    /// </summary>
    public static string CanonicalNetwork(string entry)
    {
        var network = IPNetwork.TryParse(entry, out var parsed) ? parsed
            : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
            : throw new ArgumentException($"'{entry}' is neither an IP address nor a CIDR network.", nameof(entry));
        var (prefix, length) = (network.BaseAddress, network.PrefixLength);
        if (prefix.IsIPv4MappedToIPv6 && length >= 96)
        {
            return new IPNetwork(prefix.MapToIPv4(), length - 96).ToString();
        }

        return new IPNetwork(new IPAddress(prefix.GetAddressBytes()), length).ToString();
    }
}
