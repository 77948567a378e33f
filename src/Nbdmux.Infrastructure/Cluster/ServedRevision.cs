namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// How much of a shared registry this node's NBD server serves, and the gate that keeps this
/// node's own changes and its <see cref="RegistrySync"/> passes apart: a pass that read the
/// registry before a local change committed must not undo that change on the wire afterwards.
/// The passes of different nodes take no lock, and run side by side.
/// </summary>
public sealed class ServedRevision : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Every change up to this revision is live on this node's NBD server; -1 before the first pass.</summary>
    public long Applied { get; private set; } = -1;

    /// <summary>Held by a local change from its start to its end, and by a pass.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Exit(_gate);
    }

    /// <summary>Called with the gate held: a pass that served <paramref name="revision"/>.</summary>
    public void Served(long revision) => Applied = revision;

    /// <summary>
    /// Called with the gate held: a local change committed <paramref name="revision"/>, live here
    /// already. It is all this node serves only if it served everything before it.
    /// </summary>
    public bool Follows(long revision) => Applied == revision - 1;

    public void Dispose() => _gate.Dispose();

    private sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        private int _exited;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _exited, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
