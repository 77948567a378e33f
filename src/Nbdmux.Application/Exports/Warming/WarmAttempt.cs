namespace Nbdmux.Application.Exports.Warming;

/// <summary>
/// One run of an export's warm, known by when it was queued and the node running it: a warm
/// queued again, taken over by another node, or an export removed or registered anew meanwhile,
/// makes every later report of an older run a no-op.
/// </summary>
public sealed record WarmAttempt(string Name, DateTimeOffset EnqueuedAt, string Node);
