using System.Collections.Concurrent;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.DataPlane;

/// <summary>
/// The sessions of nbdmux's own proofs. A backend lists a session for a moment after its client
/// hung up (until the server has run its close), and a proof's session is nobody's client: it is
/// left out of the connections everyone sees instead of being waited for on a change's answer path.
/// </summary>
public sealed class ProofSessions
{
    /// <summary>Peer → when it was noted, on a counter that orders notes against listings.</summary>
    private readonly ConcurrentDictionary<string, long> _peers = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Notes a proof's session; it has ended (or is ending) when this is called.</summary>
    public void Add(string peer) => _peers[peer] = Interlocked.Increment(ref _clock);

    /// <summary>
    /// The listed connections without proofs' sessions. A noted session that a listing taken
    /// after the note no longer shows is over for good (a peer's address and port cannot come back
    /// while the server still knows the old session), so it is forgotten.
    /// </summary>
    public IReadOnlyList<ClientConnection> LeaveOut(Func<IReadOnlyList<ClientConnection>> list)
    {
        if (_peers.IsEmpty)
        {
            return list();
        }

        var listedAt = Interlocked.Increment(ref _clock);
        var listed = list();
        foreach (var (peer, notedAt) in _peers)
        {
            if (notedAt < listedAt && !listed.Any(connection => connection.Peer == peer))
            {
                _peers.TryRemove(KeyValuePair.Create(peer, notedAt));
            }
        }

        return [.. listed.Where(connection => !_peers.ContainsKey(connection.Peer))];
    }
}
