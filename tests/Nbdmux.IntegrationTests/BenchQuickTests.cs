using Nbdmux.Bench;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// Keeps bench/run.sh working: its quick mode builds, runs every measurement against nbdmux on
/// both backends and the Python nbdmux 0.2.1, and writes a RESULTS file with a number in every
/// cell of the harness's catalogue. Timing is not judged here.
/// </summary>
public sealed class BenchQuickTests
{
    [Fact]
    public async Task Quick_benchmark_runs_end_to_end()
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        Prerequisites.Require("nbdkit", "nbdkit");
        Prerequisites.Require("python3", "python3");
        // run.sh looks for 0.2.1 where CI puts it; without it those cells say "not measured".
        var reference = Path.Combine(Repository.Root, "..", "shared", "reference", "nbdmux-0.2.1");
        Assert.True(Directory.Exists(reference), $"The Python nbdmux 0.2.1 is not at {Path.GetFullPath(reference)}: copy shared/ next to the clone, as CI does.");
        var directory = Directory.CreateTempSubdirectory("nbdmux-bench-test-").FullName;
        try
        {
            var output = Path.Combine(directory, "RESULTS.md");
            using var run = ScriptProcess.Start(Path.Combine(Repository.Root, "bench", "run.sh"), ["--quick", "--out", output]);
            var exitCode = await run.WaitAsync(TimeSpan.FromMinutes(10));

            Assert.True(exitCode == 0, $"bench/run.sh --quick exited with {exitCode}.\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
            var results = File.ReadAllLines(output);
            var sideBySide = Table(results, Report.SideBySideHeading);
            var baselines = Table(results, Report.BaselinesHeading);
            Assert.All(Figures.Cells(), cell =>
            {
                var value = cell.Daemon is { } daemon
                    ? Cell(sideBySide, cell.Spec.Id, daemon.Title())
                    : Cell(baselines, cell.Spec.Id, "median");
                // A burst in which no client negotiated has no time of the last one.
                Assert.Matches(@"^([0-9][0-9.]* |none negotiated$)", value);
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The Markdown table under a heading: its header cells, and each row's cells by the row's id.</summary>
    private static (List<string> Header, Dictionary<string, List<string>> Rows) Table(string[] lines, string heading)
    {
        var rows = lines.SkipWhile(l => l != heading).Skip(1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToList())
            .ToList();
        Assert.True(rows.Count > 2, $"No table under '{heading}'.");
        return (rows[0], rows.Skip(2).ToDictionary(r => r[0]));
    }

    private static string Cell((List<string> Header, Dictionary<string, List<string>> Rows) table, string id, string column)
    {
        Assert.True(table.Rows.ContainsKey(id), $"No row {id}.");
        var index = table.Header.IndexOf(column);
        Assert.True(index >= 0, $"No column '{column}'.");
        return table.Rows[id][index];
    }
}
