using Nbdmux.Infrastructure.Linux;
namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>
/// An nbd-server child (one per client) as last examined: its peer, once found, and the files it
/// holds open (fd link targets, e.g. "socket:[123]" or "/data/nbd-server/exports/node1").
/// </summary>
public sealed record ServingChild(int Pid, long StartTicks, ProcessHandle Process, string? Peer, IReadOnlyList<string> OpenFiles)
{
    public bool SameAs(ServingChild other) => Peer == other.Peer && OpenFiles.SequenceEqual(other.OpenFiles);
}
