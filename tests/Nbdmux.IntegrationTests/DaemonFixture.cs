namespace Nbdmux.IntegrationTests;

/// <summary>One running nbdmux shared by a test class; tests use names of their own.</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public NbdmuxDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await NbdmuxDaemon.StartAsync();

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}
