using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The text of exports/NAME, the one thing the plugin learns about an export: `key=value`
/// lines in the order and form the plugin's parser demands, built from parsed values only.
/// </summary>
public static partial class ExportRecord
{
    /// <summary>The plugin refuses longer records as invalid.</summary>
    public const int MaxBytes = 64 * 1024;

    public static string Render(PublishedImage image, ExportAccess access)
    {
        var text = new StringBuilder()
            .Append("version=1\n")
            .Append(CultureInfo.InvariantCulture, $"root={image.Root}\n")
            .Append(CultureInfo.InvariantCulture, $"root_dev={image.RootDevice}\n")
            .Append(CultureInfo.InvariantCulture, $"root_ino={image.RootInode}\n")
            .Append(CultureInfo.InvariantCulture, $"path={image.RelativePath}\n")
            .Append(CultureInfo.InvariantCulture, $"dev={image.Device}\n")
            .Append(CultureInfo.InvariantCulture, $"ino={image.Inode}\n")
            .Append(CultureInfo.InvariantCulture, $"mode={Mode(access)}\n");
        foreach (var entry in access.Networks?.Select(Spelled) ?? ["everyone"])
        {
            text.Append(CultureInfo.InvariantCulture, $"allow={entry}\n");
        }

        return text.ToString();
    }

    private static string Mode(ExportAccess access) =>
        access.ReadOnly ? "ro" : access.CopyOnWrite ? "cow" : "rw";

    /// <summary>
    /// A network as the plugin accepts it: host bits cleared, the address spelled exactly as the
    /// C library's inet_ntop spells it (the plugin refuses any other spelling; .NET's differs for
    /// a few IPv6 forms). The plugin matches numbers only, so an IPv6 scope id is dropped, and an
    /// IPv4-mapped network is written as the IPv4 network it means: the plugin compares an IPv4
    /// client on an IPv6 socket as IPv4.
    /// </summary>
    public static string Spelled(IPNetwork network)
    {
        var (prefix, length) = (network.BaseAddress, network.PrefixLength);
        return prefix.IsIPv4MappedToIPv6 && length >= 96
            ? $"{InetNtop(prefix.MapToIPv4())}/{length - 96}"
            : $"{InetNtop(prefix)}/{length}";
    }

    private static string InetNtop(IPAddress address)
    {
        var family = address.AddressFamily == AddressFamily.InterNetwork ? AfInet : AfInet6;
        var bytes = address.GetAddressBytes();
        var text = new byte[InetAddressTextMax];
        return InetNtop(family, bytes, text, (uint)text.Length) != IntPtr.Zero
            ? Encoding.ASCII.GetString(text, 0, Array.IndexOf(text, (byte)0))
            : throw new ArgumentException($"inet_ntop cannot spell {address}.", nameof(address));
    }

    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int InetAddressTextMax = 46; // INET6_ADDRSTRLEN

    [LibraryImport("libc", EntryPoint = "inet_ntop")]
    private static partial IntPtr InetNtop(int family, byte[] address, byte[] text, uint size);
}
