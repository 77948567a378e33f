using System.Globalization;
using System.Net;

namespace Nbdmux.Infrastructure.Linux;

/// <summary>
/// The remote end of each connected TCP socket: from the kernel's socket diagnostics where it
/// answers, else from /proc/net/tcp and tcp6, whose reading makes the kernel walk its whole
/// connection hash (milliseconds on a big host): look up sparingly.
/// </summary>
public static class TcpPeers
{
    private const string Listening = "0A";

    /// <summary>"socket:[inode]" to "address:port" of the peer, for every socket but listening ones.</summary>
    /// <remarks>
    /// A child still negotiating also holds the listener's socket, whose remote end reads 0.0.0.0:0:
    /// taken as its peer, that child would show 0.0.0.0:0 for the rest of its session.
    /// </remarks>
    public static Dictionary<string, string> BySocketInode() => SocketDiag.TcpPeersBySocketInode() ?? FromProcNet();

    /// <summary>The same from /proc/net/tcp and tcp6: where socket diagnostics are refused (some seccomp profiles).</summary>
    public static Dictionary<string, string> FromProcNet()
    {
        var peers = new Dictionary<string, string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in ReadOrEmpty(table).Split('\n').Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 9 && columns[3] != Listening)
                {
                    peers[$"socket:[{columns[9]}]"] = ParseEndpoint(columns[2]);
                }
            }
        }

        return peers;
    }

    private static string ParseEndpoint(string hex)
    {
        var (address, port) = (hex[..hex.IndexOf(':')], int.Parse(hex[(hex.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var bytes = Convert.FromHexString(address);
        // The kernel prints each 32-bit word of the address in host (little-endian) order.
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        return Text(new IPAddress(bytes), port);
    }

    /// <summary>How a peer is shown: "address:port", an IPv4 client on an IPv6 socket as IPv4.</summary>
    public static string Text(IPAddress address, int port) =>
        new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port).ToString();

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
