namespace Nbdmux.Bench;

/// <summary>
/// Every figure a run reports, the daemons each is measured on, and their targets (2 cores,
/// loopback), each naming where it was set.
/// "{N}" in a title is the export count, "{B}" the burst's client count.
/// </summary>
public static class Figures
{
    public const string Issue13 = "issue 13";
    public const string Issue6 = "issue 6";
    public const string Issue14 = "issue 14";
    public const string Issue18 = "issue 18";

    private static readonly IReadOnlyList<Daemon> All3 = Daemons.All;
    private static readonly IReadOnlyList<Daemon> Backends = Daemons.Backends;
    private static readonly IReadOnlyList<Daemon> Baseline = [];
    private static readonly IReadOnlyList<Daemon> NbdkitOnly = [Daemon.Nbdkit];

    public static readonly FigureSpec RegistrationsTotal = new("1a", "{N} sequential registrations of new names, a new TCP connection per request, total", "s", All3,
        (Daemon.Nbdkit, Target.Max(2)));
    public static readonly FigureSpec RegistrationsSpeedup = new("1b", "1a: 0.2.1's total ÷ this one (times faster than 0.2.1)", "×", Backends,
        (Daemon.Nbdkit, Target.Min(3)));
    public static readonly FigureSpec RegistrationMedian = new("1c", "one registration during 1a, median", "ms", All3);

    public static readonly FigureSpec NewNameP50 = new("2a", "POST of a new name to negotiable, p50, {N} exports", "ms", Backends, (Daemon.Nbdkit, Target.Max(2)));
    public static readonly FigureSpec NewNameP99 = new("2b", "POST of a new name to negotiable, p99, {N} exports", "ms", Backends, (Daemon.Nbdkit, Target.Max(10)));
    public static readonly FigureSpec RepostP50 = new("2c", "re-POST of an unchanged export until answered, p50, {N} exports", "ms", Backends, (Daemon.Nbdkit, Target.Max(2)));
    public static readonly FigureSpec RepostP99 = new("2d", "re-POST of an unchanged export until answered, p99, {N} exports", "ms", Backends);
    public static readonly FigureSpec DeleteP50 = new("2e", "DELETE until answered, p50, {N} exports", "ms", Backends, (Daemon.Nbdkit, Target.Max(2)));
    public static readonly FigureSpec DeleteP99 = new("2f", "DELETE until answered, p99, {N} exports", "ms", Backends);
    public static readonly FigureSpec FileChangeP50 = new("2g", "POST of a file change to negotiable, p50, {N} exports", "ms", Backends);
    public static readonly FigureSpec FileChangeP99 = new("2h", "POST of a file change to negotiable, p99, {N} exports", "ms", Backends);
    public static readonly FigureSpec NewNameP50Empty = new("2i", "POST of a new name to negotiable, p50, 0 exports", "ms", Backends);
    public static readonly FigureSpec NewNameP99Empty = new("2j", "POST of a new name to negotiable, p99, 0 exports", "ms", Backends);
    public static readonly FigureSpec FileChangeP50Empty = new("2k", "POST of a file change to negotiable, p50, 0 exports", "ms", Backends);
    public static readonly FigureSpec FileChangeP99Empty = new("2l", "POST of a file change to negotiable, p99, 0 exports", "ms", Backends);

    public static readonly FigureSpec BurstWithinDeadline = new("3a", "{B} clients connecting in the same instant: negotiated within 2 s", "clients", All3,
        (Daemon.Nbdkit, Target.Min(150)), (Daemon.NbdServer, Target.Min(150)));
    public static readonly FigureSpec BurstLast = new("3b", "{B} clients in the same instant: time until the last client that negotiated had done so", "ms", All3);
    public static readonly FigureSpec BurstNegotiated = new("3c", "{B} clients in the same instant: negotiated at all before the harness gave up on them", "clients", All3);

    public static readonly FigureSpec ListSequential = new("4a", "GET /exports, {N} exports, 1 client (sequential)", "req/s", Backends,
        (Daemon.Nbdkit, Target.Min(1500, Issue6)), (Daemon.NbdServer, Target.Min(1500, Issue6)));
    public static readonly FigureSpec ListConcurrent = new("4b", "GET /exports, {N} exports, 16 concurrent clients", "req/s", Backends);
    public static readonly FigureSpec ListWithClients = new("4c", "GET /exports, {N} exports, 1 client, while 4 NBD clients are connected", "req/s", Backends);
    public static readonly FigureSpec ListBytes = new("4d", "GET /exports response size, {N} exports", "KiB", Backends);

    public static readonly FigureSpec DisruptionErrors = new("5a", "I/O errors seen by 4 holders during reconfiguration", "errors", Backends,
        (Daemon.Nbdkit, Target.Max(0, Issue6)), (Daemon.NbdServer, Target.Max(0, Issue6)));
    public static readonly FigureSpec DisruptionStall = new("5b", "longest stall a holder sees during reconfiguration", "ms", Backends,
        (Daemon.Nbdkit, Target.Max(100, Issue6)), (Daemon.NbdServer, Target.Max(100, Issue6)));
    public static readonly FigureSpec IdleStall = new("5c", "longest stall a holder sees with no reconfiguration (baseline)", "ms", Backends);

    public static readonly FigureSpec OneReader = new("6a", "1 reader, through nbdmux", "MiB/s", Backends);
    public static readonly FigureSpec OneReaderRatio = new("6b", "1 reader, nbdmux ÷ bare nbd-server", "×", Backends,
        (Daemon.Nbdkit, Target.Min(1.1)), (Daemon.NbdServer, Target.Min(0.95)));
    public static readonly FigureSpec EightReaders = new("6c", "8 concurrent readers, through nbdmux (sum)", "MiB/s", Backends);
    public static readonly FigureSpec EightReadersRatio = new("6d", "8 concurrent readers, nbdmux ÷ bare nbd-server", "×", Backends,
        (Daemon.Nbdkit, Target.Min(1.1)), (Daemon.NbdServer, Target.Min(0.95)));
    public static readonly FigureSpec OneReaderBare = new("6e", "1 reader, bare nbd-server", "MiB/s", Baseline);
    public static readonly FigureSpec OneReaderNbdkit = new("6f", "1 reader, bare nbdkit file", "MiB/s", Baseline);
    public static readonly FigureSpec OneReaderNbdkitRatio = new("6g", "1 reader, bare nbdkit file ÷ bare nbd-server", "×", Baseline);
    public static readonly FigureSpec EightReadersBare = new("6h", "8 concurrent readers, bare nbd-server (sum)", "MiB/s", Baseline);
    public static readonly FigureSpec EightReadersNbdkit = new("6i", "8 concurrent readers, bare nbdkit file (sum)", "MiB/s", Baseline);
    public static readonly FigureSpec EightReadersNbdkitRatio = new("6j", "8 concurrent readers, bare nbdkit file ÷ bare nbd-server", "×", Baseline);

    public static readonly FigureSpec IdleRss = new("7a", "RSS of the daemon, idle (0 exports)", "MB", All3);
    public static readonly FigureSpec LoadedRss = new("7b", "RSS of the daemon, {N} exports", "MB", All3,
        (Daemon.Nbdkit, Target.Max(150, Issue6)), (Daemon.NbdServer, Target.Max(150, Issue6)));
    public static readonly FigureSpec StartToHealthy = new("7c", "start-to-healthy after SIGKILL, {N} exports to restore", "s", Backends,
        (Daemon.Nbdkit, Target.Max(2, Issue6)), (Daemon.NbdServer, Target.Max(2, Issue6)));

    public static readonly FigureSpec Warm = new("8a", "warm of a zstd image over loopback HTTP, POST until ready (raw MiB/s)", "MiB/s", [Daemon.Nbdkit]);
    public static readonly FigureSpec CurlZstd = new("8b", "curl URL piped into zstd -d > file, the same image from the same server (raw MiB/s)", "MiB/s", Baseline);
    public static readonly FigureSpec WarmRatio = new("8c", "8a ÷ 8b: warm ÷ curl piped into zstd -d", "×", [Daemon.Nbdkit], (Daemon.Nbdkit, Target.Min(0.8, Issue14)));

    public static readonly FigureSpec BareStartSmall = new("D1", "diagnosis: bare nbd-server start until it negotiates, 1 section, DH generation skipped (as nbdmux starts it)", "ms", Baseline);
    public static readonly FigureSpec BareStartLarge = new("D2", "diagnosis: bare nbd-server start until it negotiates, {N}+1 sections, DH generation skipped (as nbdmux starts it)", "ms", Baseline);

    public static readonly FigureSpec DiskSyncP50 = new("D3", "diagnosis: fsync after a 4 KiB append on the data dirs' disk, p50", "ms", Baseline);

    public static readonly FigureSpec OneNodePostgreSqlRegistrations = new("9a", "{N} sequential registrations, one node on PostgreSQL, a new TCP connection per request, total", "s", NbdkitOnly);
    public static readonly FigureSpec ClusterRegistrations = new("9b", "{N} sequential registrations through node A of 3 on one PostgreSQL, a new TCP connection per request, total", "s", NbdkitOnly);
    public static readonly FigureSpec ClusterRegistrationsRatio = new("9c", "9b ÷ 9a: registrations with 3 nodes live against one node, both on PostgreSQL", "×", NbdkitOnly,
        (Daemon.Nbdkit, Target.Max(2, Issue18)));
    public static readonly FigureSpec ClusterRegistrationsAgainstSqlite = new("9d", "9b ÷ 1a: registrations with 3 nodes on PostgreSQL against one node on SQLite", "×", NbdkitOnly);
    public static readonly FigureSpec PropagationP50 = new("9e", "3 nodes, {N} exports: POST of a new name on node A to negotiable on node C, p50", "ms", NbdkitOnly);
    public static readonly FigureSpec PropagationP99 = new("9f", "3 nodes, {N} exports: POST of a new name on node A to negotiable on node C, p99", "ms", NbdkitOnly);
    public static readonly FigureSpec ClusterDeleteP50 = new("9g", "3 nodes, {N} exports: DELETE on node B until answered (refused on every node), p50", "ms", NbdkitOnly);
    public static readonly FigureSpec ClusterDeleteP99 = new("9h", "3 nodes, {N} exports: DELETE on node B until answered (refused on every node), p99", "ms", NbdkitOnly);

    /// <summary>The figures of the cluster phase, which <c>--cluster-only</c> runs alone.</summary>
    public static readonly IReadOnlyList<FigureSpec> Cluster =
    [
        OneNodePostgreSqlRegistrations, ClusterRegistrations, ClusterRegistrationsRatio, ClusterRegistrationsAgainstSqlite,
        PropagationP50, PropagationP99, ClusterDeleteP50, ClusterDeleteP99,
    ];

    public static readonly IReadOnlyList<FigureSpec> All =
    [
        RegistrationsTotal, RegistrationsSpeedup, RegistrationMedian,
        NewNameP50, NewNameP99, RepostP50, RepostP99, DeleteP50, DeleteP99, FileChangeP50, FileChangeP99,
        NewNameP50Empty, NewNameP99Empty, FileChangeP50Empty, FileChangeP99Empty,
        BurstWithinDeadline, BurstLast, BurstNegotiated,
        ListSequential, ListConcurrent, ListWithClients, ListBytes,
        DisruptionErrors, DisruptionStall, IdleStall,
        OneReader, OneReaderRatio, EightReaders, EightReadersRatio,
        OneReaderBare, OneReaderNbdkit, OneReaderNbdkitRatio, EightReadersBare, EightReadersNbdkit, EightReadersNbdkitRatio,
        IdleRss, LoadedRss, StartToHealthy,
        Warm, CurlZstd, WarmRatio,
        BareStartSmall, BareStartLarge, DiskSyncP50,
        .. Cluster,
    ];

    /// <summary>Every cell a complete run fills (with <paramref name="clusterOnly"/>, a run of the cluster phase alone): each figure on each of its daemons, or once for a baseline.</summary>
    public static IEnumerable<(FigureSpec Spec, Daemon? Daemon)> Cells(bool clusterOnly = false) =>
        (clusterOnly ? Cluster : All).SelectMany(spec => spec.IsBaseline ? [(spec, (Daemon?)null)] : spec.Daemons.Select(d => (spec, (Daemon?)d)));
}
