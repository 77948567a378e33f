namespace Nbdmux.IntegrationTests;

/// <summary>The NBD servers nbdmux can run; behavioural tests run once for each.</summary>
public static class Backends
{
    public const string Nbdkit = "nbdkit";

    public const string NbdServer = "nbd-server";

    public static TheoryData<string> All => new() { Nbdkit, NbdServer };

    /// <summary>
    /// How a client outside an export's allow list is turned away: nbd-server says "policy";
    /// nbdkit answers exactly as for an unknown name, so a denied client learns nothing.
    /// </summary>
    public static bool IsDenial(string backend, Nbdmux.Nbd.NbdNegotiationException refusal) =>
        backend == Nbdkit ? refusal.IsUnknownExport : refusal.IsRefusedByPolicy;
}

/// <summary>One running nbdmux per backend, shared by a test class and started on first use; tests use names of their own.</summary>
public sealed class BackendDaemons : IAsyncLifetime
{
    private readonly Dictionary<string, Task<NbdmuxDaemon>> _daemons = [];
    private readonly Lock _lock = new();

    public Task<NbdmuxDaemon> For(string backend)
    {
        lock (_lock)
        {
            if (!_daemons.TryGetValue(backend, out var daemon))
            {
                _daemons[backend] = daemon = NbdmuxDaemon.StartAsync(backend);
            }

            return daemon;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var daemon in _daemons.Values)
        {
            await (await daemon).DisposeAsync();
        }
    }
}
