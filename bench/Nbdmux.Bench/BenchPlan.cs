namespace Nbdmux.Bench;

/// <summary>How big and how often: the full run the targets are about, or a quick smoke run that only proves the harness works.</summary>
public sealed record BenchPlan(
    bool Quick,
    int Exports,
    long DataImageBytes,
    int Repetitions,
    int NewNameSamples,
    int RepostSamples,
    int FileChangeSamples,
    int DisruptionOperations,
    TimeSpan ListDuration,
    int ConcurrentListClients,
    int ConcurrentReaders,
    int BurstClients,
    TimeSpan BurstPatience)
{
    /// <summary>The burst's target: every client negotiated within this time.</summary>
    public static readonly TimeSpan BurstDeadline = TimeSpan.FromSeconds(2);

    /// <summary>Only the cluster phase (<c>--cluster-only</c>): its figures, taken alone, without the rest of a full run.</summary>
    public bool ClusterOnly { get; init; }

    public static readonly BenchPlan Full = new(
        Quick: false, Exports: 1000, DataImageBytes: 1L << 30, Repetitions: 3, NewNameSamples: 100, RepostSamples: 100, FileChangeSamples: 100,
        DisruptionOperations: 100, ListDuration: TimeSpan.FromSeconds(3), ConcurrentListClients: 16, ConcurrentReaders: 8,
        BurstClients: 150, BurstPatience: TimeSpan.FromSeconds(10));

    public static readonly BenchPlan QuickRun = new(
        Quick: true, Exports: 20, DataImageBytes: 64L << 20, Repetitions: 1, NewNameSamples: 5, RepostSamples: 10, FileChangeSamples: 10,
        DisruptionOperations: 30, ListDuration: TimeSpan.FromSeconds(1), ConcurrentListClients: 16, ConcurrentReaders: 8,
        BurstClients: 150, BurstPatience: TimeSpan.FromSeconds(3));
}
