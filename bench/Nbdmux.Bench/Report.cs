using System.Globalization;
using System.Text;

namespace Nbdmux.Bench;

/// <summary>Everything RESULTS.md says about one run: where and when it ran, and every figure.</summary>
public sealed record Report(
    BenchPlan Plan,
    string Commit,
    DateTimeOffset Started,
    TimeSpan Duration,
    string LoadAtStart,
    string LoadAtEnd,
    IReadOnlyList<Figure> Measured,
    IReadOnlyList<string> Observations,
    string Analysis)
{
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# nbdmux benchmark results").AppendLine();
        if (Plan.Quick)
        {
            text.AppendLine("> **Quick run** (`bench/run.sh --quick`): small sizes that only prove the harness works end to end.")
                .AppendLine("> Its numbers are not comparable with the targets; verdicts are left out.").AppendLine();
        }

        text.AppendLine("Written by `bench/run.sh` (see bench/README.md); every figure below comes from this one run.").AppendLine()
            .AppendLine($"- commit: `{Commit}`")
            .AppendLine($"- date: {Started:yyyy-MM-dd HH:mm} UTC, took {Duration.TotalMinutes:F1} min")
            .AppendLine($"- machine: {Machine.Cores} cores ({Machine.Cpu()}), {Machine.MemoryGiB():F1} GiB memory, Linux {Machine.Kernel()}")
            .AppendLine($"- load average (1/5/15 min): {LoadAtStart} at start, {LoadAtEnd} at end (the machine is shared; the harness itself runs on the same cores)")
            .AppendLine($"- nbd-server {Machine.PackageVersion("nbd-server")}, nbdkit {Machine.PackageVersion("nbdkit")}, libnbd-bin {Machine.PackageVersion("libnbd-bin")}, .NET {Environment.Version}")
            .AppendLine($"- sizes: {Plan.Exports} exports, data-plane image {Plan.DataImageBytes >> 20} MiB, {Plan.Repetitions} repetition(s) per figure " +
                        $"({Plan.NewNameSamples} new-name and {Plan.FileChangeSamples} file-change samples per repetition, " +
                        $"{Plan.DisruptionOperations} reconfigurations per disruption run, {Plan.ListDuration.TotalSeconds:F0} s per GET /exports run)")
            .AppendLine();

        text.AppendLine("## Targets").AppendLine()
            .AppendLine("| id | figure | median | min | max | target | verdict |")
            .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var figure in Measured.Where(f => f.Spec.Target is not null).OrderBy(f => f.Spec.Id, StringComparer.Ordinal))
        {
            var verdict = Plan.Quick ? "n/a (quick)" : figure.MeetsTarget == true ? "**met**" : "**missed**";
            text.AppendLine($"| {figure.Spec.Id} | {Title(figure)} | {Value(figure, figure.Median)} | {Value(figure, figure.Runs.Min())} | {Value(figure, figure.Runs.Max())} | {figure.Spec.Target!.Describe(figure.Spec.Unit)} | {verdict} |");
        }

        text.AppendLine().AppendLine("## All figures").AppendLine()
            .AppendLine("Median, min and max over the repetitions (a latency figure's value in one repetition is that repetition's percentile).").AppendLine()
            .AppendLine("| id | figure | median | min | max | runs | how |")
            .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var figure in Measured.OrderBy(f => f.Spec.Id, StringComparer.Ordinal))
        {
            text.AppendLine($"| {figure.Spec.Id} | {Title(figure)} | {Value(figure, figure.Median)} | {Value(figure, figure.Runs.Min())} | {Value(figure, figure.Runs.Max())} | {figure.Runs.Count} | {figure.Note} |");
        }

        if (Observations.Count > 0)
        {
            text.AppendLine().AppendLine("## Observations recorded by the harness").AppendLine();
            foreach (var observation in Observations)
            {
                text.AppendLine($"- {observation}");
            }
        }

        if (Analysis.Length > 0 && !Plan.Quick)
        {
            text.AppendLine().AppendLine(Analysis.TrimEnd());
        }

        return text.ToString();
    }

    private string Title(Figure figure) => figure.Spec.Title.Replace("{N}", Plan.Exports.ToString("N0", CultureInfo.InvariantCulture));

    private static string Value(Figure figure, double value) => $"{Format.Number(value)} {figure.Spec.Unit}";
}
