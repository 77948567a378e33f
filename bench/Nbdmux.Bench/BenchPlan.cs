namespace Nbdmux.Bench;

/// <summary>How big and how often: the full run the targets are about, or a quick smoke run that only proves the harness works.</summary>
public sealed record BenchPlan(
    bool Quick,
    int Exports,
    long DataImageBytes,
    int Repetitions,
    int NewNameSamples,
    int FileChangeSamples,
    int DisruptionOperations,
    TimeSpan ListDuration,
    int ConcurrentListClients,
    int ConcurrentReaders)
{
    public static readonly BenchPlan Full = new(
        Quick: false, Exports: 1000, DataImageBytes: 1L << 30, Repetitions: 3, NewNameSamples: 30, FileChangeSamples: 100,
        DisruptionOperations: 100, ListDuration: TimeSpan.FromSeconds(5), ConcurrentListClients: 16, ConcurrentReaders: 8);

    public static readonly BenchPlan QuickRun = new(
        Quick: true, Exports: 20, DataImageBytes: 64L << 20, Repetitions: 1, NewNameSamples: 5, FileChangeSamples: 10,
        DisruptionOperations: 30, ListDuration: TimeSpan.FromSeconds(1), ConcurrentListClients: 16, ConcurrentReaders: 8);
}
