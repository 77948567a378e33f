namespace Nbdmux.Domain.Nodes;

/// <summary>
/// An nbdmux that serves the registry's exports on an NBD server of its own. Nodes sharing a
/// registry form a cluster; each keeps its row current with heartbeats, and one that stops is
/// seen as down by the others.
/// </summary>
public sealed class Node
{
    /// <summary>How often a node writes its row.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>A node silent for this long is down: several heartbeats missed, not one slow one.</summary>
    public static readonly TimeSpan DownAfter = TimeSpan.FromSeconds(10);

    private Node(string name, string address, int httpPort, int nbdPort, string backend, DateTimeOffset upSince)
    {
        Name = name;
        Address = address;
        HttpPort = httpPort;
        NbdPort = nbdPort;
        Backend = backend;
        UpSince = upSince;
        LastHeartbeat = upSince;
    }

    public string Name { get; private set; }

    /// <summary>The host name or address clients reach the node at.</summary>
    public string Address { get; private set; }

    public int HttpPort { get; private set; }

    public int NbdPort { get; private set; }

    /// <summary>Which NBD server the node runs: nbdkit or nbd-server.</summary>
    public string Backend { get; private set; }

    public DateTimeOffset UpSince { get; private set; }

    public DateTimeOffset LastHeartbeat { get; private set; }

    public int ExportsServed { get; private set; }

    public int Connections { get; private set; }

    /// <summary>The registry's revision the node's NBD server serves (every change up to it is live there).</summary>
    public long AppliedRevision { get; private set; }

    public static Node Start(string name, string address, int httpPort, int nbdPort, string backend, DateTimeOffset now) =>
        new(name, address, httpPort, nbdPort, backend, now);

    /// <summary>The node (re)started: what it runs may differ from what its row last said.</summary>
    public void Restart(string address, int httpPort, int nbdPort, string backend, DateTimeOffset now)
    {
        Address = address;
        HttpPort = httpPort;
        NbdPort = nbdPort;
        Backend = backend;
        UpSince = now;
        LastHeartbeat = now;
        AppliedRevision = 0;
    }

    public void Beat(DateTimeOffset now, int exportsServed, int connections)
    {
        LastHeartbeat = now;
        ExportsServed = exportsServed;
        Connections = connections;
    }

    /// <summary>Every change up to <paramref name="revision"/> is live on the node's NBD server.</summary>
    public void Apply(long revision) => AppliedRevision = Math.Max(AppliedRevision, revision);

    /// <summary>A node that has not beaten for <see cref="DownAfter"/> is down: its clients are its own, and nobody waits for it.</summary>
    public bool IsUp(DateTimeOffset now) => now - LastHeartbeat < DownAfter;
}
