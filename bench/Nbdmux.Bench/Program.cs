using Nbdmux.Bench;

// Usage: Nbdmux.Bench --api-dll PATH --reference DIR --out RESULTS.md --work-dir DIR [--commit TEXT] [--analysis FILE] [--quick] [--cluster-only]
// bench/run.sh builds nbdmux and passes all of these; see bench/README.md.
var options = args.ToList();
string Option(string name, string? fallback = null)
{
    var index = options.IndexOf(name);
    return index >= 0 && index + 1 < options.Count ? options[index + 1]
        : fallback ?? throw new ArgumentException($"missing {name}; run bench/run.sh instead (see bench/README.md)");
}

var plan = (options.Contains("--quick") ? BenchPlan.QuickRun : BenchPlan.Full) with { ClusterOnly = options.Contains("--cluster-only") };
var output = Option("--out");
var workDir = Directory.CreateDirectory(Option("--work-dir")).FullName;
var analysisPath = Option("--analysis", "");
void Progress(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

var started = DateTimeOffset.UtcNow;
var loadAtStart = Machine.LoadAverage();
var run = new BenchRun(plan, Path.GetFullPath(Option("--api-dll")), Option("--reference"), workDir, Progress);
await run.RunAsync();

var missing = Figures.Cells(plan.ClusterOnly).Where(cell => !run.Measured.Any(f => f.Spec == cell.Spec && f.Daemon == cell.Daemon))
    .Select(cell => cell.Daemon is { } daemon ? $"{cell.Spec.Id} ({daemon.Title()})" : cell.Spec.Id).ToList();
if (missing.Count > 0)
{
    Console.Error.WriteLine($"bench: figures not measured: {string.Join(", ", missing)}");
    return 1;
}

var report = new Report(plan, Option("--commit", "unknown"), run.Reference, started, DateTimeOffset.UtcNow - started, loadAtStart, Machine.LoadAverage(),
    run.Measured, run.Observations, File.Exists(analysisPath) ? File.ReadAllText(analysisPath) : "");
File.WriteAllText(output, report.ToMarkdown());
Progress($"wrote {output}");
return 0;
