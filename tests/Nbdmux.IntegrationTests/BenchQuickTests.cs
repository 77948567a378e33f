using System.Text.RegularExpressions;
using Nbdmux.Bench;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// Keeps bench/run.sh working: its quick mode builds, runs every measurement against a real
/// nbdmux and writes a RESULTS file with a number for every figure. Timing is not judged here.
/// </summary>
public sealed class BenchQuickTests
{
    [Fact]
    public async Task Quick_benchmark_runs_end_to_end()
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        Prerequisites.Require("nbdkit", "nbdkit");
        var directory = Directory.CreateTempSubdirectory("nbdmux-bench-test-").FullName;
        try
        {
            var output = Path.Combine(directory, "RESULTS.md");
            using var run = ScriptProcess.Start(Path.Combine(Repository.Root, "bench", "run.sh"), ["--quick", "--out", output]);
            var exitCode = await run.WaitAsync(TimeSpan.FromMinutes(10));

            Assert.True(exitCode == 0, $"bench/run.sh --quick exited with {exitCode}.\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
            var results = File.ReadAllText(output);
            Assert.All(Figures.All, figure =>
                Assert.Matches(new Regex($@"^\| {Regex.Escape(figure.Id)} \| [^|]+ \| [0-9.]+ ", RegexOptions.Multiline), results));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
