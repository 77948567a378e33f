using System.Globalization;
using System.Text;

namespace Nbdmux.Bench;

/// <summary>Everything RESULTS.md says about one run: where and when it ran, and every figure, the daemons side by side.</summary>
public sealed record Report(
    BenchPlan Plan,
    string Commit,
    string Reference,
    DateTimeOffset Started,
    TimeSpan Duration,
    string LoadAtStart,
    string LoadAtEnd,
    IReadOnlyList<Figure> Measured,
    IReadOnlyList<string> Observations,
    string Analysis)
{
    public const string SideBySideHeading = "## All figures, side by side";
    public const string BaselinesHeading = "## Baselines (no nbdmux)";

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# nbdmux benchmark results").AppendLine();
        if (Plan.Quick)
        {
            text.AppendLine("> **Quick run** (`bench/run.sh --quick`): small sizes that only prove the harness works end to end.")
                .AppendLine("> Its numbers are not comparable with the targets; verdicts are left out.").AppendLine();
        }

        if (Plan.ClusterOnly)
        {
            text.AppendLine("> **Cluster phase only** (`bench/run.sh --cluster-only`): the figures of nodes sharing a PostgreSQL registry (9a-9h), without the rest of a full run.").AppendLine();
        }

        text.AppendLine("Written by `bench/run.sh` (see bench/README.md); every figure below comes from this one run, each daemon measured by the same client code.").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- commit: `{Commit}`")
            .AppendLine(CultureInfo.InvariantCulture, $"- date: {Started:yyyy-MM-dd HH:mm} UTC, took {Duration.TotalMinutes:F1} min")
            .AppendLine(CultureInfo.InvariantCulture, $"- machine: {Machine.Cores} cores ({Machine.Cpu()}), {Machine.MemoryGiB():F1} GiB memory, Linux {Machine.Kernel()}")
            .AppendLine(CultureInfo.InvariantCulture, $"- load average (1/5/15 min): {LoadAtStart} at start, {LoadAtEnd} at end (the machine is shared; the harness itself runs on the same cores)")
            .AppendLine(CultureInfo.InvariantCulture, $"- nbd-server {Machine.PackageVersion("nbd-server")}, nbdkit {Machine.PackageVersion("nbdkit")}, libnbd-bin {Machine.PackageVersion("libnbd-bin")}, postgresql {Machine.PackageVersion("postgresql")}, .NET {Environment.Version}, {Machine.PythonVersion()}")
            .AppendLine(CultureInfo.InvariantCulture, $"- daemons: {Daemon.Nbdkit.Title()} (`--nbd-backend nbdkit`), {Daemon.NbdServer.Title()} (`--nbd-backend nbd-server`), {Daemon.Reference.Title()}: {Reference}")
            .AppendLine(CultureInfo.InvariantCulture, $"- sizes: {Plan.Exports} exports, data-plane image {Plan.DataImageBytes >> 20} MiB, {Plan.Repetitions} repetition(s) per figure " +
                        $"({Plan.NewNameSamples} new-name, {Plan.RepostSamples} re-POST and {Plan.FileChangeSamples} file-change samples per repetition, " +
                        $"{Plan.DisruptionOperations} reconfigurations per disruption run, {Plan.ListDuration.TotalSeconds:F0} s per GET /exports run, " +
                        $"bursts of {Plan.BurstClients} clients)")
            .AppendLine();

        text.AppendLine("## Targets").AppendLine()
            .AppendLine("| id | figure | daemon | median | min | max | target | verdict |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var figure in Measured.Where(f => f.Target is not null).OrderBy(f => f.Spec.Id, StringComparer.Ordinal).ThenBy(f => f.Daemon))
        {
            var target = $"{figure.Target!.Describe(figure.Spec.Unit)} ({figure.Target.Source})";
            text.AppendLine(figure.NotMeasured is { } reason
                ? string.Create(CultureInfo.InvariantCulture, $"| {figure.Spec.Id} | {Title(figure.Spec)} | {figure.Daemon!.Value.Title()} | {reason} | | | {target} | not measured |")
                : string.Create(CultureInfo.InvariantCulture, $"| {figure.Spec.Id} | {Title(figure.Spec)} | {figure.Daemon!.Value.Title()} | {Value(figure, figure.Median)} | {Value(figure, figure.Runs.Min())} | {Value(figure, figure.Runs.Max())} | {target} | {Verdict(figure)} |"));
        }

        text.AppendLine().AppendLine(SideBySideHeading).AppendLine()
            .AppendLine("Each cell: the median over the repetitions, with min–max when there were several (a latency's value in one repetition is that repetition's percentile over its samples). — : not measured on that daemon.").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"| id | figure | {string.Join(" | ", Daemons.All.Select(d => d.Title()))} | how |")
            .AppendLine(CultureInfo.InvariantCulture, $"|---|---|{string.Concat(Daemons.All.Select(_ => "---|"))}---|");
        foreach (var spec in Figures.All.Where(s => !s.IsBaseline && Measured.Any(f => f.Spec == s)))
        {
            var row = Measured.Where(f => f.Spec == spec).ToList();
            var cells = Daemons.All.Select(d => row.FirstOrDefault(f => f.Daemon == d) is { } figure ? Cell(figure) : "—");
            text.AppendLine(CultureInfo.InvariantCulture, $"| {spec.Id} | {Title(spec)} | {string.Join(" | ", cells)} | {string.Join(" / ", row.Select(f => f.Note).Where(n => n.Length > 0).Distinct())} |");
        }

        text.AppendLine().AppendLine(BaselinesHeading).AppendLine()
            .AppendLine("| id | figure | median | min | max | runs | how |")
            .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var figure in Measured.Where(f => f.Spec.IsBaseline).OrderBy(f => Figures.All.ToList().IndexOf(f.Spec)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {figure.Spec.Id} | {Title(figure.Spec)} | {Value(figure, figure.Median)} | {Value(figure, figure.Runs.Min())} | {Value(figure, figure.Runs.Max())} | {figure.Runs.Count} | {figure.Note} |");
        }

        if (Observations.Count > 0)
        {
            text.AppendLine().AppendLine("## Observations recorded by the harness").AppendLine();
            foreach (var observation in Observations)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {observation}");
            }
        }

        if (Analysis.Length > 0 && !Plan.Quick && !Plan.ClusterOnly)
        {
            text.AppendLine().AppendLine(Analysis.TrimEnd());
        }

        return text.ToString();
    }

    private string Verdict(Figure figure) => Plan.Quick ? "n/a (quick)" : figure.MeetsTarget == true ? "**met**" : "**missed**";

    private static string Cell(Figure figure)
    {
        if (figure.NotMeasured is { } reason)
        {
            return reason;
        }

        var median = Value(figure, figure.Median);
        return figure.Runs.Count > 1 && figure.Runs.Min() != figure.Runs.Max()
            ? $"{median} ({Format.Number(figure.Runs.Min())}–{Format.Number(figure.Runs.Max())})"
            : median;
    }

    private string Title(FigureSpec spec) => spec.Title
        .Replace("{N}", Plan.Exports.ToString("N0", CultureInfo.InvariantCulture))
        .Replace("{B}", Plan.BurstClients.ToString(CultureInfo.InvariantCulture));

    private static string Value(Figure figure, double value) => $"{Format.Number(value)} {figure.Spec.Unit}";
}
