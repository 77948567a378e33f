using System.Globalization;
using System.Net;
using System.Text;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// The clients connected now, as the plugin records them: connections/PID-N, written once when a
/// client's export is opened and deleted when it closes. Asked on every GET /exports, so a file
/// is parsed only the first time it is seen, and the same list is returned while the listing is
/// unchanged. The listing is compared, not the directory's mtime: the kernel stamps that with a
/// coarse clock, so two changes in one tick would leave it unchanged.
/// </summary>
public sealed class ConnectionFiles(NbdkitLayout layout)
{
    /// <summary>Far more than three short lines: anything longer is not the plugin's.</summary>
    private const int MaxFileBytes = 4096;

    private static readonly Snapshot None = new(0, [], []);

    private volatile Snapshot _last = None;

    /// <summary>The connections of the server running as <paramref name="serverPid"/>; files of an earlier process are its leftovers.</summary>
    public IReadOnlyList<ClientConnection> Read(int? serverPid)
    {
        if (serverPid is not { } pid)
        {
            return None.Connections;
        }

        var names = Directory.EnumerateFiles(layout.ConnectionsDirectory, $"{pid}-*")
            .Select(path => Path.GetFileName(path))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var last = _last;
        if (last.Pid == pid && last.Names.AsSpan().SequenceEqual(names))
        {
            return last.Connections;
        }

        var known = last.Pid == pid ? last.Connections.ToDictionary(connection => connection.Id) : [];
        var connections = names
            .Select(name => known.GetValueOrDefault(name) ?? ReadFile(name))
            .OfType<ClientConnection>()
            .ToList();
        _last = new Snapshot(pid, names, connections);
        return connections;
    }

    /// <summary>Whether the plugin still records the connection (its file goes when the client is gone).</summary>
    public bool IsConnected(string id) => IsId(id) && File.Exists(Path.Combine(layout.ConnectionsDirectory, id));

    /// <summary>The plugin's IDs: "PID-N", decimal. Nothing else may be joined to a path.</summary>
    public static bool IsId(string id)
    {
        var dash = id.IndexOf('-');
        return dash > 0 && dash < id.Length - 1 && id.Length <= 32 && id.Remove(dash, 1).All(char.IsAsciiDigit);
    }

    /// <summary>
    /// One connection file: `export=`, `peer=` and `since=` lines (other keys are ignored). Null
    /// for a file that is not a valid record of a connection. A peer that is not an address and
    /// port is shown as written (made printable): the connection counts all the same.
    /// </summary>
    public static ClientConnection? Parse(string id, string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = line.IndexOf('=');
            if (equals <= 0 || !fields.TryAdd(line[..equals], line[(equals + 1)..]))
            {
                return null;
            }
        }

        return IsId(id) &&
               fields.GetValueOrDefault("export") is { } export && ExportName.IsValid(export) &&
               fields.GetValueOrDefault("peer") is { } peer &&
               long.TryParse(fields.GetValueOrDefault("since"), NumberStyles.None, CultureInfo.InvariantCulture, out var sinceMs) &&
               sinceMs <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? new ClientConnection(id, export, Shown(peer), DateTimeOffset.FromUnixTimeMilliseconds(sinceMs))
            : null;
    }

    private static string Shown(string peer) =>
        IPEndPoint.TryParse(peer, out var endpoint) && endpoint.Port != 0
            ? TcpPeers.Text(endpoint.Address, endpoint.Port)
            : PrintableLine.Of(peer, 64);

    private ClientConnection? ReadFile(string id)
    {
        try
        {
            using var file = File.OpenRead(Path.Combine(layout.ConnectionsDirectory, id));
            var buffer = new byte[MaxFileBytes];
            var length = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Parse(id, Encoding.UTF8.GetString(buffer, 0, length));
        }
        catch (FileNotFoundException)
        {
            return null; // the client left between the listing and the read
        }
    }

    private sealed record Snapshot(int Pid, string[] Names, IReadOnlyList<ClientConnection> Connections);
}
