namespace Nbdmux.Infrastructure.Persistence;

/// <summary>
/// A forced change's order to every node: as it applies <see cref="Revision"/>, it disconnects its
/// own clients of <see cref="Export"/>, before it confirms the revision. Written in the change's
/// own transaction, so it exists exactly when the change does.
/// </summary>
public sealed class ClientCut
{
    /// <summary>Long enough for a node that lost the registry for a while to read it when it is back.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    public long Revision { get; set; }

    public required string Export { get; set; }

    /// <summary>The node that made the change: it cut its own clients as it made the change live.</summary>
    public required string OrderedBy { get; set; }

    public DateTimeOffset At { get; set; }
}
