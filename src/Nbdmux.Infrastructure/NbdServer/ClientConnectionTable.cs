using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Who is connected, read from /proc: nbd-server serves each client in a child process started
/// from this data dir's config. The child's socket names the peer, and the file it holds open
/// names the export: the export's own hard link (exact, even when exports share an image), or,
/// where only a symlink was possible, the image's canonical path (then every export serving
/// that image counts the client).
/// </summary>
public sealed class ClientConnectionTable(NbdServerLayout layout)
{
    private const int ClockTicksPerSecond = 100; // USER_HZ, fixed at 100 by the Linux ABI

    private static readonly Lazy<DateTimeOffset> BootTime = new(ReadBootTime);

    /// <summary>
    /// A child serves one client for its whole life, so its peer is looked up once: reading
    /// /proc/net/tcp makes the kernel walk its whole connection hash (milliseconds on a big host).
    /// </summary>
    private readonly ConcurrentDictionary<(int Pid, long StartTicks), string> _peers = new();

    public IReadOnlyList<ClientConnection> Read(int? listenerPid, IReadOnlyDictionary<string, string> exportFiles)
    {
        var exportsByFile = exportFiles.ToLookup(e => e.Value, e => e.Key);
        var children = ServingProcesses(listenerPid).ToList();
        foreach (var gone in _peers.Keys.Except(children))
        {
            _peers.TryRemove(gone, out _);
        }

        Dictionary<string, string>? sockets = null;
        var connections = new List<ClientConnection>();
        foreach (var (pid, startTicks) in children)
        {
            var links = OpenFiles(pid);
            if (!_peers.TryGetValue((pid, startTicks), out var peer))
            {
                sockets ??= PeersBySocketInode();
                peer = links.Select(link => sockets.GetValueOrDefault(link)).FirstOrDefault(p => p is not null);
                if (peer is not null)
                {
                    _peers[(pid, startTicks)] = peer;
                }
            }

            var since = BootTime.Value.AddSeconds((double)startTicks / ClockTicksPerSecond);
            foreach (var export in links.SelectMany(link => ExportsOpenedAs(link, exportFiles, exportsByFile)).Distinct())
            {
                connections.Add(new ClientConnection($"{pid}", export, peer ?? "unknown", since));
            }
        }

        return connections;
    }

    private IEnumerable<string> ExportsOpenedAs(string link, IReadOnlyDictionary<string, string> exportFiles, ILookup<string, string> exportsByFile)
    {
        // A link replaced since the client opened it reads "PATH (deleted)": still that export's client.
        var path = link.EndsWith(" (deleted)", StringComparison.Ordinal) ? link[..^" (deleted)".Length] : link;
        return Path.GetDirectoryName(path) == layout.LinksDirectory
            ? exportFiles.ContainsKey(Path.GetFileName(path)) ? [Path.GetFileName(path)] : []
            : exportsByFile[path];
    }

    /// <summary>Whether the connection's process is still one of this data dir's nbd-server children.</summary>
    public bool IsServing(ClientConnection connection) =>
        int.TryParse(connection.Id, out var pid) && IsOurs(pid) && UnixProcesses.StartTicksOfLiving(pid) is not null;

    private IEnumerable<(int Pid, long StartTicks)> ServingProcesses(int? listenerPid)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != listenerPid &&
                ReadOrEmpty($"{directory}/comm").Trim() == "nbd-server" && IsOurs(pid) &&
                UnixProcesses.StartTicksOfLiving(pid) is { } ticks)
            {
                yield return (pid, ticks);
            }
        }
    }

    private bool IsOurs(int pid) => UnixProcesses.CommandLine(pid).Contains(layout.ConfigPath, StringComparison.Ordinal);

    private static List<string> OpenFiles(int pid)
    {
        try
        {
            return Directory.EnumerateFiles($"/proc/{pid}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .OfType<string>()
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>"socket:[inode]" to "address:port" of the remote end, from /proc/net/tcp and tcp6.</summary>
    private static Dictionary<string, string> PeersBySocketInode()
    {
        var peers = new Dictionary<string, string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in ReadOrEmpty(table).Split('\n').Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 9)
                {
                    peers[$"socket:[{columns[9]}]"] = ParseEndpoint(columns[2]);
                }
            }
        }

        return peers;
    }

    private static string ParseEndpoint(string hex)
    {
        var (address, port) = (hex[..hex.IndexOf(':')], int.Parse(hex[(hex.IndexOf(':') + 1)..], NumberStyles.HexNumber));
        var bytes = Convert.FromHexString(address);
        // The kernel prints each 32-bit word of the address in host (little-endian) order.
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        var ip = new IPAddress(bytes);
        return new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, port).ToString();
    }

    private static DateTimeOffset ReadBootTime()
    {
        var line = ReadOrEmpty("/proc/stat").Split('\n').First(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line[6..].Trim()));
    }

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
