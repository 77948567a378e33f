using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Moq;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

/// <summary>
/// The daemon as a browser meets it: a client that keeps cookies and does not follow
/// redirects, over <see cref="NbdmuxApiFactory"/> with nbd-server reported down.
/// </summary>
internal sealed class TestDaemon : IAsyncDisposable
{
    private readonly NbdmuxApiFactory _factory;

    private TestDaemon(NbdmuxApiFactory factory) => _factory = factory;

    public Mock<INbdServer> NbdServer => _factory.NbdServer;

    public string DataDir => _factory.DataDir;

    /// <param name="dataDir">A data dir the caller owns (and deletes); by default a temp dir deleted on dispose.</param>
    public static Task<TestDaemon> StartAsync(string? adminPassword, string? dataDir = null)
    {
        var factory = new NbdmuxApiFactory(adminPassword, dataDir);
        factory.NbdServer.SetupGet(server => server.Status)
            .Returns(new NbdServerStatus(NbdServerState.Down, null, null, 3, "nbd-server exited with status 1"));
        factory.StartServer();
        return Task.FromResult(new TestDaemon(factory));
    }

    /// <summary>A client that keeps cookies and does not follow redirects, like a browser's first hop.</summary>
    public HttpClient CreateClient(string baseAddress = "http://localhost") =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri(baseAddress),
        });

    /// <summary>One GET as it arrives from <paramref name="client"/> (the test client has no peer address).</summary>
    public async Task<int> GetFromAsync(IPAddress client, string path, string bearer)
    {
        var context = await _factory.Server.SendAsync(request =>
        {
            request.Connection.RemoteIpAddress = client;
            request.Request.Method = HttpMethods.Get;
            request.Request.Path = path;
            request.Request.Headers.Authorization = $"Bearer {bearer}";
        });
        return context.Response.StatusCode;
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
