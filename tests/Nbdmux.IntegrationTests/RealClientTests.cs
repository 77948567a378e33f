using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Nbdmux.IntegrationTests;

/// <summary>libnbd's own tools, as a lab's scripts would use them, against nbdmux.</summary>
public sealed class RealClientTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task Nbdcopy_reads_back_exactly_the_registered_file()
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        var image = TestImage.Create(Daemon.ImagesDir, "r1.img", seed: 81, sectors: 8192);
        await Daemon.RegisterAsync("r1", image.Path);
        var copy = Path.Combine(Daemon.ImagesDir, "r1.copy");

        var (exitCode, output) = await ExternalTool.RunAsync("nbdcopy", $"nbd://127.0.0.1:{Daemon.NbdPort}/r1", copy);

        Assert.True(exitCode == 0, output);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(image.Path)), SHA256.HashData(File.ReadAllBytes(copy)));
    }

    [Fact]
    public async Task Nbdinfo_sees_the_size_and_a_removed_export_is_gone()
    {
        Prerequisites.Require("nbdinfo", "libnbd-bin");
        var image = TestImage.Create(Daemon.ImagesDir, "r2.img", seed: 82);
        await Daemon.RegisterAsync("r2", image.Path);

        var (exitCode, size) = await ExternalTool.RunAsync("nbdinfo", "--size", $"nbd://127.0.0.1:{Daemon.NbdPort}/r2");
        Assert.Equal((0, $"{image.SizeBytes}"), (exitCode, size.Trim()));

        await Daemon.RemoveAsync("r2");
        var (afterRemoval, _) = await ExternalTool.RunAsync("nbdinfo", "--size", $"nbd://127.0.0.1:{Daemon.NbdPort}/r2");
        Assert.NotEqual(0, afterRemoval);
    }

    [Fact]
    public async Task An_oversized_request_body_is_refused_with_413()
    {
        var body = $$"""{"name":"big","file":"/tmp/x.img","padding":"{{new string('x', 64 * 1024)}}"}""";

        var response = await Daemon.Http.PostAsync("/exports", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("\"big\"", await Daemon.Http.GetStringAsync("/exports"));
    }
}
