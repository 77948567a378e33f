using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// The registry as last committed, kept so that listing it needs no query until a change
/// commits: EF Core materialising 1,000 rows was half of what a GET /exports cost.
/// </summary>
public sealed class CommittedExports
{
    private long _generation;
    private volatile Snapshot? _snapshot;

    /// <summary>The kept list while no change has committed since it was read; otherwise <paramref name="query"/>'s, kept from now on.</summary>
    public async Task<IReadOnlyList<Export>> GetAsync(Func<Task<List<Export>>> query)
    {
        var generation = Interlocked.Read(ref _generation);
        if (_snapshot is { } snapshot && snapshot.Generation == generation)
        {
            return snapshot.Exports;
        }

        // Labelled with the generation read before the query: a change committing meanwhile
        // moves the generation on, so what this query saw is never served past that change.
        var exports = (await query()).AsReadOnly();
        _snapshot = new Snapshot(generation, exports);
        return exports;
    }

    /// <summary>Called once a change has committed, before it is answered: the next listing reads the registry again.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    private sealed record Snapshot(long Generation, IReadOnlyList<Export> Exports);
}
