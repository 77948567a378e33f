using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Nbdmux.Testing;

namespace Nbdmux.IntegrationTests;

/// <summary>scripts/run.sh as the README shows it: relative paths are the caller's, not the project's.</summary>
public class RunScriptTests
{
    [Fact]
    public async Task Relative_data_and_image_dirs_are_made_in_the_directory_run_sh_is_run_from()
    {
        var caller = Directory.CreateTempSubdirectory("nbdmux-run-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(caller, "images"));
            var port = LoopbackPorts.Free();
            using var run = ScriptProcess.Start(
                Path.Combine(Repository.Root, "scripts", "run.sh"),
                ["--data-dir", "./data", "--images-dir", "./images", "--port", $"{port}", "--nbd-port", $"{LoopbackPorts.Free()}", "--bind", "127.0.0.1", "--nbd-backend", "nbd-server"],
                workingDirectory: caller);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var waited = Stopwatch.StartNew();
            while (!await AnswersAsync(http))
            {
                Assert.False(run.HasExited, $"run.sh exited with {(run.HasExited ? run.ExitCode : 0)}:\n{run.Stdout}\n{run.Stderr}");
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(5), $"nbdmux did not answer in 5 minutes:\n{run.Stdout}\n{run.Stderr}");
                await Task.Delay(200);
            }

            Assert.True(File.Exists(Path.Combine(caller, "data", "nbdmux.db")));
            Assert.Contains($"data dir {caller}/data, image roots {caller}/images", run.Stdout);
            Assert.False(Directory.Exists(Path.Combine(Repository.Root, "src", "Nbdmux.Api", "data")));
        }
        finally
        {
            Directory.Delete(caller, recursive: true);
        }
    }

    private static async Task<bool> AnswersAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

}
