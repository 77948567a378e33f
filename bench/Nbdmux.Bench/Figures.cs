namespace Nbdmux.Bench;

/// <summary>Every figure a run reports, with the targets of issue 6 (2 cores, loopback).</summary>
public static class Figures
{
    public static readonly FigureSpec NewNameP50Empty = new("1a", "POST-to-negotiable, new name (listener restart), p50, 0 exports", "ms");
    public static readonly FigureSpec NewNameP99Empty = new("1b", "POST-to-negotiable, new name (listener restart), p99, 0 exports", "ms");
    public static readonly FigureSpec NewNameP50 = new("1c", "POST-to-negotiable, new name (listener restart), p50, {N} exports", "ms", Target.Max(5));
    public static readonly FigureSpec NewNameP99 = new("1d", "POST-to-negotiable, new name (listener restart), p99, {N} exports", "ms", Target.Max(25));
    public static readonly FigureSpec FileChangeP50Empty = new("1e", "POST-to-negotiable, file change of a name, p50, 0 exports", "ms");
    public static readonly FigureSpec FileChangeP99Empty = new("1f", "POST-to-negotiable, file change of a name, p99, 0 exports", "ms");
    public static readonly FigureSpec FileChangeP50 = new("1g", "POST-to-negotiable, file change of a name, p50, {N} exports", "ms");
    public static readonly FigureSpec FileChangeP99 = new("1h", "POST-to-negotiable, file change of a name, p99, {N} exports", "ms");
    public static readonly FigureSpec ListSequential = new("2a", "GET /exports, {N} exports, 1 client (sequential)", "req/s", Target.Min(1500));
    public static readonly FigureSpec ListConcurrent = new("2b", "GET /exports, {N} exports, 16 concurrent clients", "req/s");
    public static readonly FigureSpec ListWithClients = new("2c", "GET /exports, {N} exports, 1 client, while 4 NBD clients are connected", "req/s");
    public static readonly FigureSpec RegistrationsTotal = new("3a", "{N} sequential registrations of new names, total", "s", Target.Max(2));
    public static readonly FigureSpec RegistrationMedian = new("3b", "one registration of a new name during 3a, median", "ms");
    public static readonly FigureSpec DisruptionErrors = new("4a", "I/O errors seen by 4 holders during reconfiguration", "errors", Target.Max(0));
    public static readonly FigureSpec DisruptionStall = new("4b", "longest stall a holder sees during reconfiguration", "ms", Target.Max(100));
    public static readonly FigureSpec IdleStall = new("4c", "longest stall a holder sees with no reconfiguration (baseline)", "ms");
    public static readonly FigureSpec OneReaderNbdmux = new("5a", "1 reader, through nbdmux", "MiB/s");
    public static readonly FigureSpec OneReaderBare = new("5b", "1 reader, bare nbd-server", "MiB/s");
    public static readonly FigureSpec OneReaderNbdkit = new("5c", "1 reader, nbdkit file", "MiB/s");
    public static readonly FigureSpec OneReaderRatio = new("5d", "1 reader, nbdmux ÷ bare nbd-server", "×", Target.Min(0.95));
    public static readonly FigureSpec OneReaderNbdkitRatio = new("5e", "1 reader, nbdkit ÷ bare nbd-server", "×");
    public static readonly FigureSpec EightReadersNbdmux = new("5f", "8 concurrent readers, through nbdmux (sum)", "MiB/s");
    public static readonly FigureSpec EightReadersBare = new("5g", "8 concurrent readers, bare nbd-server (sum)", "MiB/s");
    public static readonly FigureSpec EightReadersNbdkit = new("5h", "8 concurrent readers, nbdkit file (sum)", "MiB/s");
    public static readonly FigureSpec EightReadersRatio = new("5i", "8 concurrent readers, nbdmux ÷ bare nbd-server", "×", Target.Min(0.95));
    public static readonly FigureSpec EightReadersNbdkitRatio = new("5j", "8 concurrent readers, nbdkit ÷ bare nbd-server", "×");
    public static readonly FigureSpec IdleRss = new("6a", "nbdmux RSS, idle (0 exports)", "MB");
    public static readonly FigureSpec LoadedRss = new("6b", "nbdmux RSS, {N} exports", "MB", Target.Max(150));
    public static readonly FigureSpec StartToHealthy = new("6c", "start-to-healthy after SIGKILL, {N} exports to restore", "s", Target.Max(2));
    public static readonly FigureSpec BareStartSmall = new("D1", "diagnosis: bare nbd-server start until it negotiates, 1 section", "ms");
    public static readonly FigureSpec BareStartLarge = new("D2", "diagnosis: bare nbd-server start until it negotiates, {N}+1 sections", "ms");
    public static readonly FigureSpec BareStartSmallPreloaded = new("D4", "diagnosis: bare nbd-server start until it negotiates, 1 section, DH generation skipped (as nbdmux starts it)", "ms");
    public static readonly FigureSpec BareStartLargePreloaded = new("D5", "diagnosis: bare nbd-server start until it negotiates, {N}+1 sections, DH generation skipped (as nbdmux starts it)", "ms");
    public static readonly FigureSpec ListBytes = new("D3", "diagnosis: GET /exports response size, {N} exports", "KiB");

    public static readonly IReadOnlyList<FigureSpec> All =
    [
        NewNameP50Empty, NewNameP99Empty, NewNameP50, NewNameP99, FileChangeP50Empty, FileChangeP99Empty, FileChangeP50, FileChangeP99,
        ListSequential, ListConcurrent, ListWithClients, RegistrationsTotal, RegistrationMedian, DisruptionErrors, DisruptionStall, IdleStall,
        OneReaderNbdmux, OneReaderBare, OneReaderNbdkit, OneReaderRatio, OneReaderNbdkitRatio,
        EightReadersNbdmux, EightReadersBare, EightReadersNbdkit, EightReadersRatio, EightReadersNbdkitRatio,
        IdleRss, LoadedRss, StartToHealthy, BareStartSmall, BareStartLarge, BareStartSmallPreloaded, BareStartLargePreloaded, ListBytes,
    ];
}
