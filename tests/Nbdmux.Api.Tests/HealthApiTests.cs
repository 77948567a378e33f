using System.Net;
using Moq;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

public sealed class HealthApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Ok_when_nbd_server_runs_and_answers()
    {
        var response = await _factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unavailable_with_the_reason_while_nbd_server_restarts()
    {
        _factory.NbdServer.SetupGet(n => n.Status)
            .Returns(new NbdServerStatus(NbdServerState.Restarting, null, null, 3, "nbd-server 77 exited unexpectedly"));

        var response = await _factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("nbd-server is restarting: nbd-server 77 exited unexpectedly", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unavailable_when_the_port_does_not_answer()
    {
        _factory.NbdServer.Setup(n => n.AnswersAsync(It.IsAny<CancellationToken>())).ReturnsAsync(false);

        var response = await _factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("does not answer", await response.Content.ReadAsStringAsync());
    }
}
