using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Moq;
using Nbdmux.Api;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.Api.Tests;

/// <summary>
/// The whole daemon on a test server, with a temp data dir and nbd-server replaced by a mock.
/// Built through NbdmuxApp.Build rather than WebApplicationFactory: nbdmux refuses command-line
/// arguments it does not know, and WebApplicationFactory passes its own (--environment=...).
/// </summary>
internal sealed class TestDaemon : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsDataDir;

    private TestDaemon(WebApplication app, Mock<INbdServer> nbdServer, string dataDir, bool ownsDataDir)
    {
        _app = app;
        _ownsDataDir = ownsDataDir;
        NbdServer = nbdServer;
        DataDir = dataDir;
    }

    public Mock<INbdServer> NbdServer { get; }

    public string DataDir { get; }

    /// <param name="dataDir">A data dir the caller owns (and deletes); by default a temp dir deleted on dispose.</param>
    public static async Task<TestDaemon> StartAsync(string? adminPassword, string? dataDir = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("nbdmux-api-tests-").FullName;
        var nbdServer = new Mock<INbdServer>();
        nbdServer.SetupGet(server => server.Status)
            .Returns(new NbdServerStatus(NbdServerState.Down, null, null, 3, "nbd-server exited with status 1"));

        string[] args = ["--data-dir", dataDir, "--port", FreePort().ToString(), "--nbd-port", FreePort().ToString(), "--bind", "127.0.0.1"];
        var app = NbdmuxApp.Build(adminPassword is null ? args : [.. args, "--admin-password", adminPassword], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.RemoveAll<INbdServer>();
            builder.Services.AddSingleton(nbdServer.Object);
            var supervisorStart = builder.Services.Single(service =>
                service.ServiceType == typeof(IHostedService) && service.ImplementationFactory?.Method.ReturnType == typeof(NbdServerSupervisor));
            builder.Services.Remove(supervisorStart);
        });
        await app.StartAsync();
        return new TestDaemon(app, nbdServer, dataDir, ownsDataDir);
    }

    /// <summary>A client that keeps cookies and does not follow redirects, like a browser's first hop.</summary>
    public HttpClient CreateClient(string baseAddress = "http://localhost") =>
        new(new CookieContainerHandler { InnerHandler = _app.GetTestServer().CreateHandler() }) { BaseAddress = new Uri(baseAddress) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDir)
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
