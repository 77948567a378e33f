using System.Net.Http.Json;
using Moq;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

/// <summary>The dashboard shows what the safety rules decided: modes, allow lists, clients, withheld exports, overlays.</summary>
public sealed class DashboardSafetyTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Shows_copy_on_write_allow_lists_connected_clients_and_overlay_space()
    {
        var http = _factory.CreateClient();
        var file = _factory.CreateImage("lab.img", 1 << 20);
        (await http.PostAsJsonAsync("/exports", new { name = "lab", file, copy_on_write = true, allow = new[] { "10.0.0.0/8" } }))
            .EnsureSuccessStatusCode();
        _factory.NbdServer.Setup(n => n.Connections())
            .Returns([new ClientConnection("501", "lab", "10.0.0.7:41000", DateTimeOffset.UtcNow)]);
        _factory.NbdServer.Setup(n => n.OverlayBytes()).Returns(3 << 20);

        var live = await http.GetStringAsync("/dashboard/live");

        Assert.Contains("copy-on-write", live);
        Assert.Contains("only 10.0.0.0/8", live);
        Assert.Contains("<span class=\"export-file mono peers\" data-testid=\"peers\">10.0.0.7:41000</span>", live);
        Assert.Contains("formaction=\"/dashboard/exports/remove?force=true\" data-connections=\"1\"", live);
        Assert.Contains("data-testid=\"overlay-bytes\">3 MiB", live);
    }

    [Fact]
    public async Task Shows_why_a_registered_export_is_withheld()
    {
        var http = _factory.CreateClient();
        var file = _factory.CreateImage("old.img", 4096);
        (await http.PostAsJsonAsync("/exports", new { name = "old", file })).EnsureSuccessStatusCode();
        _factory.NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(
            NbdServerState.Running, 42, DateTimeOffset.UtcNow, 0, null,
            new Dictionary<string, string> { ["old"] = "file is outside the image roots (/images)" }));

        var live = await http.GetStringAsync("/dashboard/live");

        Assert.Contains("state-withheld", live);
        Assert.Contains("file is outside the image roots (/images)", live);
    }
}
