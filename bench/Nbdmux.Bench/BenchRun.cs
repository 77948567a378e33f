using System.Diagnostics;
using Nbdmux.Infrastructure.Nbd;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Bench;

/// <summary>
/// One benchmark run, in the order that lets every figure share the same nbdmux: measurements
/// with no exports first, then the sequential registrations that bring it to N exports, then
/// everything measured at N, the data plane, and finally crash-restarts.
/// </summary>
public sealed class BenchRun(BenchPlan plan, string apiDll, string workDir, Action<string> progress)
{
    private const long SmallImageBytes = 1 << 20;

    private readonly List<Figure> _figures = [];
    private readonly List<string> _observations = [];

    public IReadOnlyList<Figure> Measured => _figures;
    public IReadOnlyList<string> Observations => _observations;

    public async Task RunAsync()
    {
        var logPath = Path.Combine(workDir, "nbdmux.log");
        await using var nbdmux = new NbdmuxProcess(apiDll, Path.Combine(workDir, "data"), logPath);
        var startup = await nbdmux.StartAsync();
        progress($"nbdmux {nbdmux.Pid} healthy after {startup.TotalMilliseconds:F0} ms (HTTP {nbdmux.HttpPort}, NBD {nbdmux.NbdPort}); log: {logPath}");
        var imageA = Images.Create(nbdmux.ImagesDir, "small-a.img", SmallImageBytes);
        var imageB = Images.Create(nbdmux.ImagesDir, "small-b.img", SmallImageBytes);
        var dataImage = Images.Create(nbdmux.ImagesDir, "data.img", plan.DataImageBytes);

        progress("6a: idle RSS");
        _figures.Add(Figures.IdleRss.Of(await SampleRssAsync(nbdmux), "VmRSS of the fresh daemon, sampled once a second after a 2 s settle"));

        var latency = new RegistrationLatency(nbdmux, imageA, imageB);
        progress("1: POST-to-negotiable with 0 exports");
        await MeasureLatencyAsync(latency, Figures.NewNameP50Empty, Figures.NewNameP99Empty, Figures.FileChangeP50Empty, Figures.FileChangeP99Empty);

        progress($"3: {plan.Exports} sequential registrations");
        await MeasureRegistrationsAsync(nbdmux, imageA);

        _figures.Add(Figures.LoadedRss.Of(await SampleRssAsync(nbdmux), "VmRSS right after the registrations, sampled once a second after a 2 s settle"));

        progress($"1: POST-to-negotiable with {plan.Exports} exports");
        await MeasureLatencyAsync(latency, Figures.NewNameP50, Figures.NewNameP99, Figures.FileChangeP50, Figures.FileChangeP99);

        progress("2: GET /exports");
        await MeasureListAsync(nbdmux);

        progress("4: disruption");
        await MeasureDisruptionAsync(nbdmux, imageA, imageB);

        progress("5: data plane");
        await MeasureDataPlaneAsync(nbdmux, dataImage);

        progress("D1/D2: bare nbd-server start");
        await MeasureBareStartAsync(imageA);

        progress("6c: start-to-healthy");
        await MeasureRestartAsync(nbdmux);

        _observations.Add(nbdmux.Refusals.Count == 0
            ? "nbdmux refused no change during the run (no 503)."
            : $"nbdmux refused {nbdmux.Refusals.Count} change(s) with 503 (nothing changed; the harness retried, and the retry's time counts in the figure the change belonged to): " +
              string.Join(" | ", nbdmux.Refusals.Take(5)));
    }

    private async Task<List<double>> SampleRssAsync(NbdmuxProcess nbdmux)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        var samples = new List<double>();
        for (var i = 0; i < plan.Repetitions; i++)
        {
            samples.Add(nbdmux.ResidentBytes() / 1e6);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return samples;
    }

    private async Task MeasureLatencyAsync(RegistrationLatency latency, FigureSpec newP50, FigureSpec newP99, FigureSpec changeP50, FigureSpec changeP99)
    {
        var (newNames, changes) = (new List<List<double>>(), new List<List<double>>());
        for (var i = 0; i < plan.Repetitions; i++)
        {
            newNames.Add(await latency.NewNameMillisecondsAsync(plan.NewNameSamples));
            changes.Add(await latency.FileChangeMillisecondsAsync(plan.FileChangeSamples));
        }

        var newNote = $"{plan.NewNameSamples} names never loaded by nbd-server per repetition, each POSTed, negotiated (NBD_OPT_GO), then DELETEd";
        var changeNote = $"{plan.FileChangeSamples} POSTs per repetition switching one registered name between two files, each then negotiated";
        _figures.Add(newP50.Of(newNames.Select(s => Stats.Percentile(s, 50)), newNote));
        _figures.Add(newP99.Of(newNames.Select(s => Stats.Percentile(s, 99)), newNote));
        _figures.Add(changeP50.Of(changes.Select(s => Stats.Percentile(s, 50)), changeNote));
        _figures.Add(changeP99.Of(changes.Select(s => Stats.Percentile(s, 99)), changeNote));
    }

    private async Task MeasureRegistrationsAsync(NbdmuxProcess nbdmux, string image)
    {
        var elapsed = Stopwatch.StartNew();
        var times = await new SequentialRegistrations(nbdmux).RegisterAsync(0, plan.Exports, image);
        elapsed.Stop();
        _figures.Add(Figures.RegistrationsTotal.Of([elapsed.Elapsed.TotalSeconds],
            "measured once (it builds the registry every later figure uses): POST after POST, each waiting for the previous answer"));
        _figures.Add(Figures.RegistrationMedian.Of([Stats.Median(times)], "median over the registrations of 3a"));
        var decile = Math.Max(1, times.Count / 10);
        _observations.Add($"3a: a registration took {Format.Number(Stats.Median(times[..decile]))} ms (median) among the first {decile} " +
                          $"and {Format.Number(Stats.Median(times[^decile..]))} ms among the last {decile}; slowest {Format.Number(times.Max())} ms.");
    }

    private async Task MeasureListAsync(NbdmuxProcess nbdmux)
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

        var note = $"requests completed in {plan.ListDuration.TotalSeconds:F0} s, body read to the end; the client runs on the same 2 cores";
        _figures.Add(Figures.ListSequential.Of(sequential, note + "; no NBD client connected"));
        _figures.Add(Figures.ListConcurrent.Of(concurrent, note + "; no NBD client connected"));
        _figures.Add(Figures.ListWithClients.Of(withClients, note + "; 4 idle NBD sessions open (the normal state of a lab with booted machines)"));
        var body = await nbdmux.Http.GetByteArrayAsync("/exports");
        _figures.Add(Figures.ListBytes.Of([body.Length / 1024.0], "one response body"));
    }

    private async Task MeasureDisruptionAsync(NbdmuxProcess nbdmux, string imageA, string imageB)
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
            _observations.Add($"4, repetition {i + 1}: {plan.DisruptionOperations} reconfigurations took {elapsed.Elapsed.TotalSeconds:F1} s; " +
                              $"the holders completed {outcome.Reads} reads of 64 KiB{(outcome.Errors > 0 ? $"; first error: {outcome.FirstError}" : "")}.");
        }

        var note = $"4 clients, each on its own thread, hold exports and read 64 KiB at random offsets every 2 ms while {plan.DisruptionOperations} POST/DELETEs " +
                   "(a third each: new name, file change of another export, removal of an added name) run on other exports";
        _figures.Add(Figures.DisruptionErrors.Of(errors, note));
        _figures.Add(Figures.DisruptionStall.Of(stalls, "longest time between two completed reads of one holder, less the 2 ms pause"));
        _figures.Add(Figures.IdleStall.Of(idle, "same holders for 3 s with nothing else happening"));
    }

    private async Task MeasureDataPlaneAsync(NbdmuxProcess nbdmux, string image)
    {
        const string name = "data-plane";
        await nbdmux.RegisterAsync(name, image);
        await using var bare = new BareNbdServer(Path.Combine(workDir, "bare-nbd-server"), image);
        await bare.StartAsync();
        await using var nbdkit = await NbdkitServer.StartAsync(image);
        var servers = new[] { $"nbd://127.0.0.1:{nbdmux.NbdPort}/{name}", bare.Uri, nbdkit.Uri };

        await NbdcopyReaders.MebibytesPerSecondAsync(servers[0], plan.DataImageBytes, 1); // brings the image into the page cache
        foreach (var (readers, specs) in new[]
                 {
                     (1, new[] { Figures.OneReaderNbdmux, Figures.OneReaderBare, Figures.OneReaderNbdkit, Figures.OneReaderRatio, Figures.OneReaderNbdkitRatio }),
                     (plan.ConcurrentReaders, new[] { Figures.EightReadersNbdmux, Figures.EightReadersBare, Figures.EightReadersNbdkit, Figures.EightReadersRatio, Figures.EightReadersNbdkitRatio }),
                 })
        {
            // Twice the repetitions (a copy takes seconds), and each round starts with another server, so no server is always first.
            var rounds = 2 * plan.Repetitions;
            var runs = servers.Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < rounds; i++)
            {
                foreach (var s in Enumerable.Range(0, servers.Length).Select(k => (k + i) % servers.Length))
                {
                    runs[s].Add(await NbdcopyReaders.MebibytesPerSecondAsync(servers[s], plan.DataImageBytes, readers));
                }
            }

            var note = $"`nbdcopy --no-extents URI null:` of the {plan.DataImageBytes >> 20} MiB random image (page-cached), {readers} at once; " +
                       $"{rounds} rounds over the three servers, each round starting with the next one";
            for (var s = 0; s < servers.Length; s++)
            {
                _figures.Add(specs[s].Of(runs[s], note));
            }

            _figures.Add(specs[3].Of(runs[0].Zip(runs[1], (ours, baseline) => ours / baseline), "ratio within each round"));
            _figures.Add(specs[4].Of(runs[2].Zip(runs[1], (theirs, baseline) => theirs / baseline), "ratio within each round"));
        }

        await nbdmux.RemoveAsync(name);
    }

    private async Task MeasureBareStartAsync(string image)
    {
        var preload = NbdServerPreload.BesideApp().LibraryPath
            ?? throw new InvalidOperationException($"{NbdServerPreload.FileName} was not built (no C compiler?): nbdmux's restarts would not be the ones measured");
        var starts = new[]
        {
            (Figures.BareStartSmall, 0, (string?)null), (Figures.BareStartLarge, plan.Exports, null),
            (Figures.BareStartSmallPreloaded, 0, preload), (Figures.BareStartLargePreloaded, plan.Exports, preload),
        };
        foreach (var (spec, extraSections, library) in starts)
        {
            var times = new List<double>();
            for (var i = 0; i < Math.Max(5, plan.Repetitions * 5); i++)
            {
                await using var bare = new BareNbdServer(Path.Combine(workDir, $"bare-start-{spec.Id}-{i}"), image, extraSections, library);
                times.Add((await bare.StartAsync()).TotalMilliseconds);
            }

            _figures.Add(spec.Of(times, "`nbd-server -C config` until NBD_OPT_GO succeeds; each start is one run (this is the cost of every listener restart)"));
        }
    }

    private async Task MeasureRestartAsync(NbdmuxProcess nbdmux)
    {
        var times = new List<double>();
        for (var i = 0; i < plan.Repetitions; i++)
        {
            await nbdmux.KillAsync();
            times.Add((await nbdmux.StartAsync()).TotalSeconds);
        }

        _figures.Add(Figures.StartToHealthy.Of(times, "SIGKILL nbdmux, `dotnet Nbdmux.Api.dll` on the same data dir, poll /healthz every 5 ms until 200 ok"));
    }
}
