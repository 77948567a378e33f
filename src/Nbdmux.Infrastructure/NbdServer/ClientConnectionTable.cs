using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// Who is connected, read from /proc: nbd-server serves each client in a child process started
/// from this data dir's config. The child's socket names the peer, and the file it holds open
/// names the export: the export's own hard link (exact, even when exports share an image), or,
/// where only a symlink was possible, the image's canonical path (then every export serving
/// that image counts the client).
/// </summary>
/// <remarks>
/// Read on every GET /exports, so a read that finds nothing new costs one small /proc read and
/// a poll per client: new children are found in the running listener's list of children, and
/// each child already known (also those of listeners killed since, which go on serving) is held
/// by a pidfd that tells when it exits. /proc is scanned whole only when the listener changes or
/// is gone. A child is examined until it has opened its export, and its peer is looked up once.
/// While nothing changes, the same list is returned: callers can tell by reference.
/// </remarks>
public sealed class ClientConnectionTable(NbdServerLayout layout) : IDisposable
{
    private const string UnknownPeer = "unknown";

    private readonly Lock _lock = new();

    /// <summary>Every living child found so far, by pid.</summary>
    private Dictionary<int, ServingChild> _children = [];

    /// <summary>The listener whose children <see cref="_children"/> holds; another one means a scan of /proc.</summary>
    private (bool Scanned, int? Pid) _listener;

    private IReadOnlyDictionary<string, string> _exportFiles = new Dictionary<string, string>();
    private ILookup<string, string> _exportsByFile = Array.Empty<string>().ToLookup(file => file);
    private IReadOnlyList<ClientConnection> _connections = [];

    public IReadOnlyList<ClientConnection> Read(int? listenerPid, IReadOnlyDictionary<string, string> exportFiles)
    {
        lock (_lock)
        {
            var exportsChanged = !ReferenceEquals(exportFiles, _exportFiles);
            if (exportsChanged)
            {
                _exportFiles = exportFiles;
                _exportsByFile = exportFiles.ToLookup(e => e.Value, e => e.Key);
            }

            if (Refresh(listenerPid) || exportsChanged)
            {
                _connections = _children.Values.OrderBy(child => child.Pid).SelectMany(ConnectionsOf).ToList();
            }

            return _connections;
        }
    }

    /// <summary>Whether the connection's process is still one of this data dir's nbd-server children.</summary>
    public bool IsServing(ClientConnection connection) =>
        int.TryParse(connection.Id, out var pid) && IsOurs(pid) && UnixProcesses.StartTicksOfLiving(pid) is not null;

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var child in _children.Values)
            {
                child.Process.Dispose();
            }

            _children = [];
        }
    }

    /// <summary>Brings <see cref="_children"/> up to date; true when a child came, went, or changed what it holds.</summary>
    private bool Refresh(int? listenerPid)
    {
        var listed = _listener == (true, listenerPid) && listenerPid is { } pid ? ChildProcesses.Of(pid) : null;
        var candidates = listed ?? ScanForNbdServers(listenerPid);
        _listener = (true, listenerPid);

        var changed = false;
        var peers = new Lazy<Dictionary<string, string>>(TcpPeers.BySocketInode);
        var children = new Dictionary<int, ServingChild>();
        foreach (var known in _children.Values)
        {
            var child = HasOpenedExport(known) ? known : Examine(known, peers);
            // A listener launched while none was running shows up in a scan like a child, until it is known as the listener.
            if (known.Process.HasExited || known.Pid == listenerPid)
            {
                known.Process.Dispose();
                changed = true;
                continue;
            }

            changed |= !child.SameAs(known);
            children[child.Pid] = child;
        }

        foreach (var candidate in candidates.Where(candidate => candidate != listenerPid && !children.ContainsKey(candidate)))
        {
            if (Adopt(candidate, peers) is { } child)
            {
                children[child.Pid] = child;
                changed = true;
            }
        }

        _children = children;
        return changed;
    }

    /// <summary>The process as a new child, if it is one of this data dir's nbd-servers.</summary>
    private ServingChild? Adopt(int pid, Lazy<Dictionary<string, string>> peers)
    {
        if (ProcessHandle.Open(pid) is not { } process)
        {
            return null;
        }

        var child = IsOurs(pid) && UnixProcesses.StartTicksOfLiving(pid) is { } ticks
            ? Examine(new ServingChild(pid, ticks, process, null, []), peers)
            : null;
        // Alive after it was read, so what was read under its pid was its own.
        if (child is null || process.HasExited)
        {
            process.Dispose();
            return null;
        }

        return child;
    }

    /// <summary>Reads what the child holds; its peer is looked up once (its socket is there from the fork on).</summary>
    private static ServingChild Examine(ServingChild child, Lazy<Dictionary<string, string>> peers)
    {
        var files = OpenFiles(child.Pid);
        var peer = child.Peer;
        if (peer is null && files.Any(file => file.StartsWith("socket:", StringComparison.Ordinal)))
        {
            peer = files.Select(file => peers.Value.GetValueOrDefault(file)).FirstOrDefault(p => p is not null) ?? UnknownPeer;
        }

        return child with { Peer = peer, OpenFiles = files };
    }

    /// <summary>
    /// A child that holds an export's file has finished negotiating: what it holds does not change
    /// again. Until then it may hold the listening socket, an authfile, or nothing of note yet.
    /// </summary>
    private bool HasOpenedExport(ServingChild child) =>
        child.OpenFiles.Any(file => Path.GetDirectoryName(file) == layout.LinksDirectory || _exportsByFile.Contains(file));

    private IEnumerable<ClientConnection> ConnectionsOf(ServingChild child)
    {
        var since = UnixProcesses.StartedAt(child.StartTicks);
        return child.OpenFiles.SelectMany(ExportsOpenedAs).Distinct()
            .Select(export => new ClientConnection($"{child.Pid}", export, child.Peer ?? UnknownPeer, since));
    }

    private IEnumerable<string> ExportsOpenedAs(string link)
    {
        // A link replaced since the client opened it reads "PATH (deleted)": still that export's client.
        var path = link.EndsWith(" (deleted)", StringComparison.Ordinal) ? link[..^" (deleted)".Length] : link;
        return Path.GetDirectoryName(path) == layout.LinksDirectory
            ? _exportFiles.ContainsKey(Path.GetFileName(path)) ? [Path.GetFileName(path)] : []
            : _exportsByFile[path];
    }

    /// <summary>
    /// Every nbd-server process but the listener: besides its children, those of a listener
    /// killed since the last look (each restart SIGKILLs it; its children go on serving) or of an
    /// earlier nbdmux.
    /// </summary>
    private static List<int> ScanForNbdServers(int? listenerPid) =>
        UnixProcesses.Running("nbd-server").Where(pid => pid != listenerPid).ToList();

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
}
