using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Moq;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

/// <summary>GET /exports answers from a list kept between requests: it must still be exact and current.</summary>
public sealed class ExportListApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory = new();
    private readonly HttpClient _http;

    public ExportListApiTests() => _http = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_list_is_byte_for_byte_the_records_the_json_formatter_writes_one_by_one()
    {
        (await _http.PostAsJsonAsync("/exports", new { name = "a", file = _factory.CreateImage("disk+1 é.img", 512) })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/exports", new { name = "b", file = _factory.CreateImage("b.img", 1024), @readonly = false, allow = new[] { "10.0.0.0/8", "::1" } }))
            .EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/exports", new { name = "c", file = _factory.CreateImage("c.img", 2048), copy_on_write = true })).EnsureSuccessStatusCode();
        _factory.NbdServer.Setup(n => n.Connections()).Returns([new ClientConnection("7", "b", "10.0.0.9:4000", DateTimeOffset.UnixEpoch)]);

        using var list = await _http.GetAsync("/exports");
        using var one = await _http.GetAsync("/exports/a");

        var records = new List<string>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            records.Add(await _http.GetStringAsync($"/exports/{name}"));
        }

        Assert.Equal($"[{string.Join(',', records)}]", await list.Content.ReadAsStringAsync());
        Assert.Equal(one.Content.Headers.ContentType, list.Content.Headers.ContentType);
    }

    [Fact]
    public async Task Each_answered_change_shows_in_the_next_list()
    {
        var first = _factory.CreateImage("first.img", 512);
        var second = _factory.CreateImage("second.img", 1024);
        Assert.Empty(await ListAsync());

        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = first })).EnsureSuccessStatusCode();
        Assert.Equal(first, (string?)Assert.Single(await ListAsync())!["file"]);

        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = second })).EnsureSuccessStatusCode();
        Assert.Equal(second, (string?)Assert.Single(await ListAsync())!["file"]);

        _factory.NbdServer.Setup(n => n.Connections()).Returns([new ClientConnection("7", "node1", "10.0.0.9:4000", DateTimeOffset.UnixEpoch)]);
        Assert.Equal(1, (int?)Assert.Single(await ListAsync())!["connection_count"]);

        _factory.NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(NbdServerState.Restarting, null, null, 1, "killed"));
        Assert.Equal("unavailable", (string?)Assert.Single(await ListAsync())!["status"]);

        _factory.NbdServer.Setup(n => n.Connections()).Returns([]);
        (await _http.DeleteAsync("/exports/node1")).EnsureSuccessStatusCode();
        Assert.Empty(await ListAsync());
    }

    private async Task<JsonArray> ListAsync() => (await _http.GetFromJsonAsync<JsonArray>("/exports"))!;
}
