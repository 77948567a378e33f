using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Moq;
using Nbdmux.Api.Metrics;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

public sealed class MetricsApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();
    private readonly WebApplicationFactory<Program> _measured;
    private readonly HttpClient _http;

    public MetricsApiTests()
    {
        // The factory swaps the supervisor for its mock after the daemon wrapped it; wrap the mock again.
        _measured = _factory.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.MeasureNbdServer()));
        _http = _measured.CreateClient();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Exports_by_status_and_timed_changes_follow_the_api()
    {
        var file = _factory.CreateImage("a.img", 512);
        foreach (var name in new[] { "node1", "node2", "node3" })
        {
            (await _http.PostAsJsonAsync("/exports", new { name, file })).EnsureSuccessStatusCode();
        }

        (await _http.DeleteAsync("/exports/node2")).EnsureSuccessStatusCode();

        var metrics = await ScrapeAsync();
        Assert.Equal(2, Sample(metrics, """nbdmux_exports{status="ready"}"""));
        Assert.Equal(0, Sample(metrics, """nbdmux_exports{status="unavailable"}"""));
        Assert.Equal(3, Sample(metrics, """nbdmux_nbd_server_reconfiguration_seconds_count{operation="publish",outcome="ok"}"""));
        Assert.Equal(1, Sample(metrics, """nbdmux_nbd_server_reconfiguration_seconds_count{operation="withdraw",outcome="ok"}"""));
        Assert.Equal(1, Sample(metrics, """nbdmux_nbd_server_up"""));
        Assert.Equal(0, Sample(metrics, """nbdmux_nbd_server_restarts_total"""));
    }

    [Fact]
    public async Task Connected_clients_are_counted_per_export_and_removed_exports_drop_out()
    {
        var file = _factory.CreateImage("a.img", 512);
        foreach (var name in new[] { "busy", "idle" })
        {
            (await _http.PostAsJsonAsync("/exports", new { name, file })).EnsureSuccessStatusCode();
        }

        _factory.NbdServer.Setup(n => n.Connections()).Returns(
        [
            new ClientConnection("11", "busy", "10.0.0.1:4000", DateTimeOffset.UtcNow),
            new ClientConnection("12", "busy", "10.0.0.2:4000", DateTimeOffset.UtcNow),
        ]);
        var metrics = await ScrapeAsync();
        Assert.Equal(2, Sample(metrics, """nbdmux_export_connections{export="busy"}"""));
        Assert.Equal(0, Sample(metrics, """nbdmux_export_connections{export="idle"}"""));

        (await _http.DeleteAsync("/exports/idle")).EnsureSuccessStatusCode();
        Assert.DoesNotContain("export=\"idle\"", await ScrapeAsync());
    }

    [Fact]
    public async Task A_change_nbd_server_refuses_is_timed_as_failed()
    {
        _factory.NbdServer.Setup(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NbdServerUnavailableException("nbd-server is restarting"));

        var response = await _http.PostAsJsonAsync("/exports", new { name = "node1", file = _factory.CreateImage("a.img", 512) });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var metrics = await ScrapeAsync();
        Assert.Equal(1, Sample(metrics, """nbdmux_nbd_server_reconfiguration_seconds_count{operation="publish",outcome="failed"}"""));
        Assert.Equal(0, Sample(metrics, """nbdmux_exports{status="ready"}"""));
    }

    [Fact]
    public async Task A_restarting_nbd_server_is_down_with_its_restart_count_and_exports_unavailable()
    {
        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = _factory.CreateImage("a.img", 512) })).EnsureSuccessStatusCode();
        _factory.NbdServer.SetupGet(n => n.Status)
            .Returns(new NbdServerStatus(NbdServerState.Restarting, null, null, 3, "nbd-server 77 exited unexpectedly"));

        var metrics = await ScrapeAsync();

        Assert.Equal(0, Sample(metrics, """nbdmux_nbd_server_up"""));
        Assert.Equal(3, Sample(metrics, """nbdmux_nbd_server_restarts_total"""));
        Assert.Equal(1, Sample(metrics, """nbdmux_exports{status="unavailable"}"""));
        Assert.Equal(0, Sample(metrics, """nbdmux_exports{status="ready"}"""));
    }

    [Fact]
    public async Task Planned_restarts_are_counted_apart_from_crashes_and_the_build_is_named()
    {
        _factory.NbdServer.SetupGet(n => n.Status)
            .Returns(new NbdServerStatus(NbdServerState.Running, 42, DateTimeOffset.UtcNow, 1, null, PlannedRestartCount: 7));

        var metrics = await ScrapeAsync();

        Assert.Equal(1, Sample(metrics, """nbdmux_nbd_server_restarts_total"""));
        Assert.Equal(7, Sample(metrics, """nbdmux_nbd_server_planned_restarts_total"""));
        Assert.Contains(metrics, line => System.Text.RegularExpressions.Regex.IsMatch(line, """^nbdmux_build_info\{version="[^"]+",backend="(nbdkit|nbd-server)"\} 1$"""));
    }

    [Fact]
    public async Task With_a_password_a_scrape_needs_the_bearer_token_and_gets_401_without_it()
    {
        using var locked = new NbdmuxApiFactory(adminPassword: "scrape-secret");
        using var http = locked.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var anonymous = await http.GetAsync("/metrics");
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer scrape-secret" } } };
        var withToken = await http.SendAsync(scrape);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Contains("nbdmux_nbd_server_up", await withToken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http_requests_are_counted_by_route_and_status()
    {
        await _http.GetAsync("/exports");
        await _http.GetAsync("/exports/missing");

        var metrics = await ScrapeAsync();

        Assert.Contains(metrics, line => line.StartsWith("http_requests_received_total{code=\"404\",method=\"GET\",controller=\"Exports\"", StringComparison.Ordinal));
        Assert.Contains(metrics, line => line.StartsWith("http_requests_received_total{code=\"200\",method=\"GET\",controller=\"Exports\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_daemon_times_the_changes_of_its_real_nbd_server()
    {
        await using var app = NbdmuxApp.Build(["--data-dir", _factory.DataDir, "--nbd-server-bin", "/bin/true"]);

        Assert.IsType<MeasuredNbdServer>(app.Services.GetService(typeof(INbdServer)));
    }

    private async Task<IReadOnlyList<string>> ScrapeAsync()
    {
        var response = await _http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n');
    }

    private static double Sample(IReadOnlyList<string> metrics, string series)
    {
        var line = Assert.Single(metrics, line => line.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
