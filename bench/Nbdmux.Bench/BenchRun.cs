using System.Diagnostics;
using Nbdmux.Infrastructure.NbdServer;
using Nbdmux.Nbd;

namespace Nbdmux.Bench;

/// <summary>
/// One benchmark run. Each daemon gets a phase of its own on a fresh data dir, with nothing else
/// of the harness running: 0.2.1 first, then nbdmux on each backend (measurements with no
/// exports, the sequential registrations that bring it to N exports, everything measured at N,
/// crash-restarts). The data plane comes next, with both nbdmux restarted on their data dirs and
/// the bare servers beside them, so that every round reads through all of them in turn; the
/// cluster of nodes on PostgreSQL last (alone with --cluster-only).
/// </summary>
public sealed class BenchRun(BenchPlan plan, string apiDll, string referenceDir, string workDir, Action<string> progress)
{
    private const long SmallImageBytes = 1 << 20;
    private const string BurstExport = "bench-00000";
    private const string DataPlaneExport = "data-plane";

    private readonly List<Figure> _figures = [];
    private readonly List<string> _observations = [];
    private readonly Dictionary<Daemon, double> _registrationSeconds = [];
    private readonly List<string> _loadByPhase = [];
    private readonly string _imagesDir = Directory.CreateDirectory(Path.Combine(workDir, "images")).FullName;

    public IReadOnlyList<Figure> Measured => _figures;
    public IReadOnlyList<string> Observations => _observations;

    /// <summary>Where 0.2.1 was found, or why it was not measured.</summary>
    public string Reference { get; private set; } = "not run (--cluster-only)";

    public async Task RunAsync()
    {
        var imageA = Images.Create(_imagesDir, "small-a.img", SmallImageBytes);
        if (!plan.ClusterOnly)
        {
            await MeasureOneNodeAsync(imageA);
        }

        Phase("cluster");
        progress("9: cluster");
        var sqliteRegistrations = _registrationSeconds.TryGetValue(Daemon.Nbdkit, out var seconds) ? seconds : (double?)null;
        await new ClusterPhase(plan, apiDll, workDir, _imagesDir, _figures, _observations, progress).MeasureAsync(imageA, sqliteRegistrations);
        Phase("end");
        _observations.Add($"Load average (1 min) when each phase started: {string.Join(", ", _loadByPhase)} (other work on this machine counts in it too).");
    }

    /// <summary>Every phase of one nbdmux (or 0.2.1) alone, with its baselines.</summary>
    private async Task MeasureOneNodeAsync(string imageA)
    {
        var imageB = Images.Create(_imagesDir, "small-b.img", SmallImageBytes);
        var dataImage = Images.Create(_imagesDir, "data.img", plan.DataImageBytes);

        Phase("0.2.1");
        await MeasureReferenceAsync(imageA);
        foreach (var backend in Daemons.Backends)
        {
            Phase(backend.Title());
            await MeasureBackendAsync(backend, imageA, imageB);
        }

        foreach (var backend in Daemons.Backends)
        {
            _figures.Add(_registrationSeconds.TryGetValue(Daemon.Reference, out var reference)
                ? Figures.RegistrationsSpeedup.Of(backend, [reference / _registrationSeconds[backend]], "1a of 0.2.1 ÷ 1a of this daemon, same run")
                : Figures.RegistrationsSpeedup.Unmeasured(backend, Reference));
        }

        Phase("data plane");
        progress("6: data plane");
        await MeasureDataPlaneAsync(dataImage);

        Phase("warm");
        progress("8: warm");
        await MeasureWarmAsync();

        Phase("diagnosis");
        progress("D1/D2: bare nbd-server start");
        await MeasureBareStartAsync(imageA);
        progress("D3: disk flush");
        MeasureDiskSync();
    }

    /// <summary>Notes the machine's load as a phase starts: the machine is shared, and a figure is judged with it.</summary>
    private void Phase(string name) => _loadByPhase.Add($"{name} {Machine.LoadAverage().Split(' ')[0]}");

    private NbdmuxProcess Nbdmux(Daemon backend) =>
        new(backend, apiDll, Path.Combine(workDir, $"{backend.BackendOption()}-data"), _imagesDir, LogPath(backend));

    private string LogPath(Daemon daemon) => Path.Combine(workDir, daemon == Daemon.Reference ? "nbdmux-0.2.1.log" : $"nbdmux-{daemon.BackendOption()}.log");

    private async Task MeasureReferenceAsync(string image)
    {
        var (source, problem) = ReferenceProcess.Locate(referenceDir);
        if (source is null)
        {
            Reference = problem!;
            progress($"0.2.1: {problem}");
            foreach (var (spec, _) in Figures.Cells().Where(c => c.Daemon == Daemon.Reference))
            {
                _figures.Add(spec.Unmeasured(Daemon.Reference, problem!));
            }

            return;
        }

        Reference = $"`{Path.GetFullPath(referenceDir)}`, run with python3 as its README says";
        await using var reference = new ReferenceProcess(source, Path.Combine(workDir, "reference-data"), LogPath(Daemon.Reference));
        var startup = await reference.StartAsync();
        progress($"0.2.1: pid {reference.Pid} healthy after {startup.TotalMilliseconds:F0} ms (HTTP {reference.HttpPort}, NBD {reference.NbdPort}); log: {reference.LogPath}");
        await MeasureIdleRssAsync(reference);
        await MeasureRegistrationsAsync(reference, image);
        await MeasureLoadedRssAsync(reference);
        await MeasureBurstAsync(reference);
        ObserveRefusals(reference);
    }

    private async Task MeasureBackendAsync(Daemon backend, string imageA, string imageB)
    {
        await using var nbdmux = Nbdmux(backend);
        var startup = await nbdmux.StartAsync();
        progress($"{backend.Title()}: pid {nbdmux.Pid} healthy after {startup.TotalMilliseconds:F0} ms (HTTP {nbdmux.HttpPort}, NBD {nbdmux.NbdPort}); log: {nbdmux.LogPath}");
        await MeasureIdleRssAsync(nbdmux);

        var latency = new RegistrationLatency(nbdmux, imageA, imageB);
        progress($"{backend.Title()}: 2, latencies with 0 exports");
        await MeasureLatencyAsync(latency, backend, 0);

        await MeasureRegistrationsAsync(nbdmux, imageA);
        await MeasureLoadedRssAsync(nbdmux);

        progress($"{backend.Title()}: 2, latencies with {plan.Exports} exports");
        await MeasureLatencyAsync(latency, backend, plan.Exports);
        var reposts = new List<List<double>>();
        for (var i = 0; i < plan.Repetitions; i++)
        {
            reposts.Add(await latency.UnchangedRepostAsync(SequentialRegistrations.NameOf(plan.Exports - 1), imageA, plan.RepostSamples));
        }

        var repostNote = $"{plan.RepostSamples} POSTs per repetition of the body one export was registered with";
        _figures.Add(Figures.RepostP50.Of(backend, reposts.Select(s => Stats.Percentile(s, 50)), repostNote));
        _figures.Add(Figures.RepostP99.Of(backend, reposts.Select(s => Stats.Percentile(s, 99)), repostNote));

        progress($"{backend.Title()}: 4, GET /exports");
        await MeasureListAsync(nbdmux);

        progress($"{backend.Title()}: 5, disruption");
        await MeasureDisruptionAsync(nbdmux, imageA, imageB);

        await MeasureBurstAsync(nbdmux);

        progress($"{backend.Title()}: 7c, start-to-healthy");
        await MeasureRestartAsync(nbdmux);

        ObserveRefusals(nbdmux);
    }

    private void ObserveRefusals(DaemonProcess daemon) => _observations.Add(daemon.DescribeRefusals(daemon.Daemon.Title()));

    private async Task MeasureIdleRssAsync(DaemonProcess daemon)
    {
        progress($"{daemon.Daemon.Title()}: 7a, idle RSS");
        _figures.Add(Figures.IdleRss.Of(daemon.Daemon, await SampleRssAsync(daemon), RssNote("the fresh daemon")));
    }

    private async Task MeasureLoadedRssAsync(DaemonProcess daemon) =>
        _figures.Add(Figures.LoadedRss.Of(daemon.Daemon, await SampleRssAsync(daemon), RssNote("right after the registrations")));

    private static string RssNote(string when) =>
        $"VmRSS of the daemon's own process (nbdmux's, or 0.2.1's Python; not their NBD server's), {when}, sampled once a second after a 2 s settle";

    private async Task<List<double>> SampleRssAsync(DaemonProcess daemon)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        var samples = new List<double>();
        for (var i = 0; i < plan.Repetitions; i++)
        {
            samples.Add(daemon.ResidentBytes() / 1e6);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return samples;
    }

    private async Task MeasureLatencyAsync(RegistrationLatency latency, Daemon backend, int exports)
    {
        var (newNames, deletes, changes) = (new List<List<double>>(), new List<List<double>>(), new List<List<double>>());
        for (var i = 0; i < plan.Repetitions; i++)
        {
            var (newName, delete) = await latency.NewNameThenDeleteAsync(plan.NewNameSamples);
            newNames.Add(newName);
            deletes.Add(delete);
            changes.Add(await latency.FileChangeAsync(plan.FileChangeSamples));
        }

        var (newP50, newP99, changeP50, changeP99) = exports == 0
            ? (Figures.NewNameP50Empty, Figures.NewNameP99Empty, Figures.FileChangeP50Empty, Figures.FileChangeP99Empty)
            : (Figures.NewNameP50, Figures.NewNameP99, Figures.FileChangeP50, Figures.FileChangeP99);
        var newNote = $"{plan.NewNameSamples} names never registered before per repetition, each POSTed and negotiated (NBD_OPT_GO) by a new client, then DELETEd";
        var changeNote = $"{plan.FileChangeSamples} POSTs per repetition switching one registered name between two files, each then negotiated by a new client";
        _figures.Add(newP50.Of(backend, newNames.Select(s => Stats.Percentile(s, 50)), newNote));
        _figures.Add(newP99.Of(backend, newNames.Select(s => Stats.Percentile(s, 99)), newNote));
        _figures.Add(changeP50.Of(backend, changes.Select(s => Stats.Percentile(s, 50)), changeNote));
        _figures.Add(changeP99.Of(backend, changes.Select(s => Stats.Percentile(s, 99)), changeNote));
        if (exports > 0)
        {
            var deleteNote = $"the DELETEs of 2a's names, each sent once nbdmux counted no client on it";
            _figures.Add(Figures.DeleteP50.Of(backend, deletes.Select(s => Stats.Percentile(s, 50)), deleteNote));
            _figures.Add(Figures.DeleteP99.Of(backend, deletes.Select(s => Stats.Percentile(s, 99)), deleteNote));
        }
    }

    private async Task MeasureRegistrationsAsync(DaemonProcess daemon, string image)
    {
        progress($"{daemon.Daemon.Title()}: 1, {plan.Exports} sequential registrations, a new connection each");
        var registrations = await new SequentialRegistrations(daemon).RegisterAsync(plan.Exports, image);
        _registrationSeconds[daemon.Daemon] = registrations.Total.TotalSeconds;
        _figures.Add(Figures.RegistrationsTotal.Of(daemon.Daemon, [registrations.Total.TotalSeconds],
            "measured once (it builds the registry every later figure uses): POST after POST, each on a new TCP connection that the client closes after the answer (as curl), each sent when the previous was answered"));
        _figures.Add(Figures.RegistrationMedian.Of(daemon.Daemon, [Stats.Median(registrations.Milliseconds)], "median over the registrations of 1a, TCP connect included"));
        _observations.Add($"1a, {daemon.Daemon.Title()}: {registrations.Describe()}");
    }

    private async Task MeasureBurstAsync(DaemonProcess daemon)
    {
        progress($"{daemon.Daemon.Title()}: 3, {plan.BurstClients} clients at once");
        var outcome = await Burst.NegotiateAsync(daemon.NbdEndpoint, BurstExport, plan.BurstClients, BenchPlan.BurstDeadline, plan.BurstPatience);
        var note = $"{plan.BurstClients} in-repo NBD clients started in one loop, each negotiating {BurstExport} (NBD_OPT_GO) and staying connected " +
                   $"until all are done; the harness gives up on a client after {plan.BurstPatience.TotalSeconds:F0} s";
        _figures.Add(Figures.BurstWithinDeadline.Of(daemon.Daemon, [outcome.WithinDeadline], note));
        _figures.Add(outcome.LastMilliseconds is { } last
            ? Figures.BurstLast.Of(daemon.Daemon, [last], note)
            : Figures.BurstLast.Unmeasured(daemon.Daemon, "none negotiated"));
        _figures.Add(Figures.BurstNegotiated.Of(daemon.Daemon, [outcome.Negotiated], note));

        var after = Stopwatch.StartNew();
        string next;
        try
        {
            await using (await NbdClient.ConnectAsync(daemon.NbdEndpoint, BurstExport, new CancellationTokenSource(plan.BurstPatience).Token))
            {
                next = $"negotiated in {after.Elapsed.TotalMilliseconds:F1} ms";
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            next = $"failed after {after.Elapsed.TotalMilliseconds:F0} ms: {e.Message}";
        }

        _observations.Add($"3, {daemon.Daemon.Title()}: {outcome.Negotiated} of {plan.BurstClients} negotiated" +
                          (outcome.FirstFailure.Length > 0 ? $"; the first that did not: {outcome.FirstFailure}" : "") +
                          $"; one client alone right after the burst: {next}.");
    }

    private async Task MeasureListAsync(DaemonProcess nbdmux)
    {
        var list = new ListThroughput(nbdmux);
        await list.RequestsPerSecondAsync(1, TimeSpan.FromSeconds(1)); // JIT and connection warm-up, not counted
        var (sequential, concurrent) = (new List<double>(), new List<double>());
        for (var i = 0; i < plan.Repetitions; i++)
        {
            sequential.Add(await list.RequestsPerSecondAsync(1, plan.ListDuration));
            concurrent.Add(await list.RequestsPerSecondAsync(plan.ConcurrentListClients, plan.ListDuration));
        }

        var withClients = new List<double>();
        var connections = new List<NbdConnection>();
        foreach (var name in Enumerable.Range(0, 4).Select(SequentialRegistrations.NameOf))
        {
            connections.Add(await NbdClient.ConnectAsync(nbdmux.NbdEndpoint, name, CancellationToken.None));
        }

        for (var i = 0; i < plan.Repetitions; i++)
        {
            withClients.Add(await list.RequestsPerSecondAsync(1, plan.ListDuration));
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        var note = $"requests completed in {plan.ListDuration.TotalSeconds:F0} s over kept-alive connections, body read to the end; the client runs on the same 2 cores";
        _figures.Add(Figures.ListSequential.Of(nbdmux.Daemon, sequential, note + "; no NBD client connected"));
        _figures.Add(Figures.ListConcurrent.Of(nbdmux.Daemon, concurrent, note + "; no NBD client connected"));
        _figures.Add(Figures.ListWithClients.Of(nbdmux.Daemon, withClients, note + "; 4 idle NBD sessions open (the normal state of a lab with booted machines)"));
        var body = await nbdmux.Api.Http.GetByteArrayAsync("/exports");
        _figures.Add(Figures.ListBytes.Of(nbdmux.Daemon, [body.Length / 1024.0], "one response body"));
    }

    private async Task MeasureDisruptionAsync(DaemonProcess nbdmux, string imageA, string imageB)
    {
        var held = Enumerable.Range(0, 4).Select(SequentialRegistrations.NameOf).ToList();
        var changeable = Enumerable.Range(4, plan.Exports - 4).Select(SequentialRegistrations.NameOf).ToList();
        var disruption = new Disruption(nbdmux, held);

        var idle = new List<double>();
        var (errors, stalls) = (new List<double>(), new List<double>());
        for (var i = 0; i < plan.Repetitions; i++)
        {
            idle.Add((await disruption.WhileIdleAsync(TimeSpan.FromSeconds(3))).LongestStallMilliseconds);
            var elapsed = Stopwatch.StartNew();
            var outcome = await disruption.WhileReconfiguringAsync(plan.DisruptionOperations, changeable, imageA, imageB);
            errors.Add(outcome.Errors);
            stalls.Add(outcome.LongestStallMilliseconds);
            _observations.Add($"5, {nbdmux.Daemon.Title()}, repetition {i + 1}: {plan.DisruptionOperations} reconfigurations took {elapsed.Elapsed.TotalSeconds:F1} s; " +
                              $"the holders completed {outcome.Reads} reads of 64 KiB{(outcome.Errors > 0 ? $"; first error: {outcome.FirstError}" : "")}.");
        }

        var note = $"4 clients, each on its own thread, hold exports and read 64 KiB at random offsets every 2 ms while {plan.DisruptionOperations} POST/DELETEs " +
                   "(a third each: new name, file change of another export, removal of an added name) run on other exports";
        _figures.Add(Figures.DisruptionErrors.Of(nbdmux.Daemon, errors, note));
        _figures.Add(Figures.DisruptionStall.Of(nbdmux.Daemon, stalls, "longest time between two completed reads of one holder, less the 2 ms pause"));
        _figures.Add(Figures.IdleStall.Of(nbdmux.Daemon, idle, "same holders for 3 s with nothing else happening"));
    }

    private async Task MeasureRestartAsync(DaemonProcess nbdmux)
    {
        var times = new List<double>();
        for (var i = 0; i < plan.Repetitions; i++)
        {
            await nbdmux.KillAsync();
            times.Add((await nbdmux.StartAsync()).TotalSeconds);
        }

        _figures.Add(Figures.StartToHealthy.Of(nbdmux.Daemon, times,
            "SIGKILL nbdmux, `dotnet Nbdmux.Api.dll` on the same data dir, poll /healthz every 5 ms until 200 (its NBD server was left running: nbdmux adopts nbdkit, replaces nbd-server's listener)"));
    }

    private async Task MeasureDataPlaneAsync(string image)
    {
        await using var onNbdkit = Nbdmux(Daemon.Nbdkit);
        await using var onNbdServer = Nbdmux(Daemon.NbdServer);
        foreach (var nbdmux in new[] { onNbdkit, onNbdServer })
        {
            await nbdmux.StartAsync();
            await nbdmux.Api.RegisterAsync(DataPlaneExport, image);
        }

        await using var bare = new BareNbdServer(Path.Combine(workDir, "bare-nbd-server"), image);
        await bare.StartAsync();
        await using var nbdkit = await NbdkitServer.StartAsync(image);
        // The order of the figures below: through nbdmux on each backend, then the two bare servers.
        var servers = new[] { Uri(onNbdkit), Uri(onNbdServer), bare.Uri, nbdkit.Uri };
        const int Bare = 2;

        await NbdcopyReaders.MebibytesPerSecondAsync(servers[0], plan.DataImageBytes, 1); // brings the image into the page cache
        foreach (var (readers, throughput, ratio, bareThroughput, nbdkitThroughput, nbdkitRatio) in new[]
                 {
                     (1, Figures.OneReader, Figures.OneReaderRatio, Figures.OneReaderBare, Figures.OneReaderNbdkit, Figures.OneReaderNbdkitRatio),
                     (plan.ConcurrentReaders, Figures.EightReaders, Figures.EightReadersRatio, Figures.EightReadersBare, Figures.EightReadersNbdkit, Figures.EightReadersNbdkitRatio),
                 })
        {
            // Three rounds per repetition (a copy takes a second or less, and the shared machine's noise is large),
            // each starting with another server, so no server is always first.
            var rounds = 3 * plan.Repetitions;
            var runs = servers.Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < rounds; i++)
            {
                foreach (var s in Enumerable.Range(0, servers.Length).Select(k => (k + i) % servers.Length))
                {
                    runs[s].Add(await NbdcopyReaders.MebibytesPerSecondAsync(servers[s], plan.DataImageBytes, readers));
                }
            }

            var note = $"`nbdcopy --no-extents URI null:` of the {plan.DataImageBytes >> 20} MiB random image (page-cached), {readers} at once; " +
                       $"{rounds} rounds over the four servers, each round starting with the next one";
            for (var b = 0; b < Daemons.Backends.Count; b++)
            {
                _figures.Add(throughput.Of(Daemons.Backends[b], runs[b], note));
                _figures.Add(ratio.Of(Daemons.Backends[b], runs[b].Zip(runs[Bare], (ours, baseline) => ours / baseline), "ratio within each round"));
            }

            _figures.Add(bareThroughput.Of(runs[Bare], note));
            _figures.Add(nbdkitThroughput.Of(runs[3], note));
            _figures.Add(nbdkitRatio.Of(runs[3].Zip(runs[Bare], (theirs, baseline) => theirs / baseline), "ratio within each round"));
        }

        string Uri(NbdmuxProcess nbdmux) => $"nbd://127.0.0.1:{nbdmux.NbdPort}/{DataPlaneExport}";
    }

    private async Task MeasureWarmAsync()
    {
        await using var source = await WarmThroughput.StartAsync(workDir, plan.DataImageBytes);
        await using var nbdmux = new NbdmuxProcess(Daemon.Nbdkit, apiDll, Path.Combine(workDir, "warm-data"), _imagesDir, Path.Combine(workDir, "nbdmux-warm.log"),
            "--warm-source", source.ServerBase);
        await nbdmux.StartAsync();
        var curlOutput = Path.Combine(_imagesDir, "curl-zstd.img");

        // Not counted: the daemon's first warm pays for compiling its code paths, and both bring the packed file into the page cache.
        await source.WarmAsync(nbdmux, "warm-up");
        await source.CurlZstdAsync(curlOutput);
        var (warm, curl) = (new List<double>(), new List<double>());
        for (var i = 0; i < plan.Repetitions; i++)
        {
            // Alternating which goes first, so neither always follows the other's writeback.
            if (i % 2 == 0)
            {
                curl.Add(await source.CurlZstdAsync(curlOutput));
                warm.Add(await source.WarmAsync(nbdmux, $"warm-{i}"));
            }
            else
            {
                warm.Add(await source.WarmAsync(nbdmux, $"warm-{i}"));
                curl.Add(await source.CurlZstdAsync(curlOutput));
            }
        }

        var mebibytes = plan.DataImageBytes / (double)(1 << 20);
        var note = $"a {plan.DataImageBytes >> 20} MiB image (a quarter zeros, a quarter random, half packable to about half) packed with `zstd -3`, " +
            "served by `python3 -m http.server` on loopback, after one uncounted round of each; raw MiB per second; nbdmux leaves the zeros as holes and flushes the file to disk before it says ready";
        _figures.Add(Figures.Warm.Of(Daemon.Nbdkit, warm.Select(seconds => mebibytes / seconds), note));
        _figures.Add(Figures.CurlZstd.Of(curl.Select(seconds => mebibytes / seconds), note));
        _figures.Add(Figures.WarmRatio.Of(Daemon.Nbdkit, warm.Zip(curl, (w, c) => c / w), "per round, the time of curl piped into zstd -d ÷ the warm's"));
    }

    private async Task MeasureBareStartAsync(string image)
    {
        var preload = NbdServerPreload.BesideApp().LibraryPath
            ?? throw new InvalidOperationException($"{NbdServerPreload.FileName} was not built (no C compiler?): nbdmux's restarts would not be the ones measured");
        foreach (var (spec, extraSections) in new[] { (Figures.BareStartSmall, 0), (Figures.BareStartLarge, plan.Exports) })
        {
            var times = new List<double>();
            for (var i = 0; i < Math.Max(5, plan.Repetitions * 5); i++)
            {
                await using var bare = new BareNbdServer(Path.Combine(workDir, $"bare-start-{spec.Id}-{i}"), image, extraSections, preload);
                times.Add((await bare.StartAsync()).TotalMilliseconds);
            }

            _figures.Add(spec.Of(times, "`nbd-server -C config` with nbdmux's preload library until NBD_OPT_GO succeeds; each start is one run (the floor under every listener restart of the nbd-server backend)"));
        }
    }

    private void MeasureDiskSync()
    {
        var p50s = Enumerable.Range(0, plan.Repetitions).Select(_ => Stats.Median(DiskSync.Measure(workDir, plan.RepostSamples * 2)));
        _figures.Add(Figures.DiskSyncP50.Of(p50s, $"{plan.RepostSamples * 2} fsyncs per repetition, each after a 4 KiB append to one file beside the data dirs: the floor under every change nbdmux acknowledges (SQLite flushes each commit)"));
    }
}
