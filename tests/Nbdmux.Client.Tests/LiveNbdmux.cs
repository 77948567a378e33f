using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Client.Tests;

/// <summary>The real nbdmux API (nbd-server's supervisor mocked) listening on a real loopback port.</summary>
public sealed class LiveNbdmux : IDisposable
{
    private readonly NbdmuxApiFactory _api;
    private readonly WebApplicationFactory<Program> _live;

    /// <param name="warmSource">A URL prefix warms may fetch from, with the warmer running; by default none.</param>
    /// <param name="runHeartbeat">Keep the node's row in the registry, for GET /nodes; by default there is none.</param>
    public LiveNbdmux(string? warmSource = null, bool runHeartbeat = false)
    {
        _api = new NbdmuxApiFactory(warmSource: warmSource, runWarmer: warmSource is not null, runHeartbeat: runHeartbeat);
        // The daemon listens where its settings say (Kestrel options from UseKestrel do not override that).
        var port = LoopbackPorts.Free();
        _live = _api.WithWebHostBuilder(host => host.UseSetting("Nbdmux:Bind", "127.0.0.1").UseSetting("Nbdmux:Port", $"{port}"));
        _live.UseKestrel();
        _live.StartServer();
        Address = new Uri(_live.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public Uri Address { get; }

    public Mock<INbdServer> NbdServer => _api.NbdServer;

    public string CreateImage(string fileName, long sizeBytes) => _api.CreateImage(fileName, sizeBytes);

    public void Dispose()
    {
        _live.Dispose();
        _api.Dispose();
    }
}
