using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.IntegrationTests;

/// <summary>
/// The build compiles the DH-skipping preload library and every nbd-server nbdmux starts loads it:
/// without it each new export name costs a DH parameter generation (bench/ measures it).
/// </summary>
public sealed class NbdServerPreloadTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public void The_build_put_the_preload_library_beside_nbdmux()
    {
        Assert.True(
            File.Exists(Path.Combine(AppContext.BaseDirectory, NbdServerPreload.FileName)),
            $"{NbdServerPreload.FileName} was not built: is a C compiler (cc) installed? (scripts/install-deps.sh installs gcc)");
    }

    [Fact]
    public async Task Every_nbd_server_nbdmux_starts_has_the_library_loaded_and_the_log_says_so()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "preload.img", seed: 91);
        Assert.Contains("it skips generating TLS DH parameters", Daemon.Output);
        var before = Daemon.NbdServerPid()!.Value;

        await Daemon.RegisterAsync("preload-new-name", image.Path);

        var after = Daemon.NbdServerPid()!.Value;
        Assert.NotEqual(before, after);
        Assert.Contains(NbdServerPreload.FileName, await File.ReadAllTextAsync($"/proc/{after}/maps"));
    }
}
