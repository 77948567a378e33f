namespace Nbdmux.Infrastructure.Cluster;

/// <summary>
/// Wakes the changes waiting for the other nodes' confirmations as soon as a node says it has
/// applied a revision (PostgreSQL's <c>NOTIFY</c> on <see cref="RegistrySync.AppliedChannel"/>),
/// instead of at their next look at the nodes.
/// </summary>
public sealed class AppliedRevisions
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next announcement; take it before reading the nodes, so none is missed in between.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Announce() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
