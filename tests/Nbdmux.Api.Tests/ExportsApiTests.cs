using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Moq;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Api.Tests;

public abstract class ExportsApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory;
    private readonly HttpClient _http;

    protected ExportsApiTests(string? database)
    {
        _factory = new(database: database);
        _http = _factory.CreateClient();
    }

    public sealed class OnSqlite() : ExportsApiTests(database: null);

    public sealed class OnPostgreSql() : ExportsApiTests(PostgreSqlServer.Shared.CreateDatabase());

    public void Dispose()
    {
        _factory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Register_returns_the_snake_case_record_and_publishes_it()
    {
        var file = _factory.CreateImage("a.img", 1 << 20);

        var response = await _http.PostAsJsonAsync("/exports", new { name = "node1", file });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/exports/node1", response.Headers.Location?.AbsolutePath);
        var record = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("node1", (string?)record!["name"]);
        Assert.Equal(file, (string?)record["file"]);
        Assert.True((bool?)record["readonly"]);
        Assert.Equal("ready", (string?)record["status"]);
        Assert.Equal(1 << 20, (long?)record["size_bytes"]);
        Assert.NotNull(record["created_at"]);
        Assert.NotNull(record["updated_at"]);
        _factory.NbdServer.Verify(n => n.PublishAsync(new ServedExport("node1", file, FileStat.OfLink(file).Identity, ExportAccess.ReadOnlyForEveryone), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Every_record_names_the_nbd_client_line_and_the_ramboot_kernel_command_line_for_the_host_asked()
    {
        var file = _factory.CreateImage("a.img", 512);
        var registered = await (await _http.PostAsJsonAsync("/exports", new { name = "node1", file })).Content.ReadFromJsonAsync<JsonObject>();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/exports/node1") { Headers = { Host = "10.20.0.1:8082" } };
        var viaLabAddress = await (await _http.SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>();
        var listed = Assert.Single((await _http.GetFromJsonAsync<JsonArray>("/exports"))!);

        foreach (var record in new[] { registered!, listed!.AsObject() })
        {
            Assert.Equal("nbd-client localhost 10809 -name node1 /dev/nbd0", (string?)record["nbd_client_command"]);
            Assert.Equal("ip=dhcp nbdroot=localhost:10809/node1 root=/dev/nbd0 ro nbdmux.overlay=tmpfs", (string?)record["kernel_command_line"]);
        }

        Assert.Equal("nbd-client 10.20.0.1 10809 -name node1 /dev/nbd0", (string?)viaLabAddress!["nbd_client_command"]);
        Assert.Equal("ip=dhcp nbdroot=10.20.0.1:10809/node1 root=/dev/nbd0 ro nbdmux.overlay=tmpfs", (string?)viaLabAddress["kernel_command_line"]);
    }

    [Fact]
    public async Task Re_posting_a_name_replaces_its_file_and_mode()
    {
        var first = _factory.CreateImage("a.img", 512);
        var second = _factory.CreateImage("b.img", 1024);
        await _http.PostAsJsonAsync("/exports", new { name = "node1", file = first });

        var response = await _http.PostAsJsonAsync("/exports", new { name = "node1", file = second, @readonly = false });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await _http.GetFromJsonAsync<JsonObject>("/exports/node1");
        Assert.Equal((second, false, 1024L), ((string?)record!["file"], (bool?)record["readonly"], (long?)record["size_bytes"]));
    }

    [Fact]
    public async Task Allow_entries_are_stored_returned_and_published_in_canonical_form()
    {
        var file = _factory.CreateImage("a.img", 512);

        var response = await _http.PostAsJsonAsync("/exports", new { name = "node1", file, allow = new[] { "10.1.2.3", "FD00:0:0::/64", "10.0.0.0/08" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        string[] canonical = ["10.1.2.3", "fd00::/64", "10.0.0.0/8"];
        var record = await _http.GetFromJsonAsync<JsonObject>("/exports/node1");
        Assert.Equal(canonical, record!["allow"]!.AsArray().Select(entry => (string?)entry));
        _factory.NbdServer.Verify(n => n.PublishAsync(
            It.Is<ServedExport>(e => e.Access.Allow!.SequenceEqual(canonical) &&
                                     e.Access.Networks!.Select(network => network.ToString()).SequenceEqual(new[] { "10.1.2.3/32", "fd00::/64", "10.0.0.0/8" })),
            It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task List_is_sorted_by_name()
    {
        var file = _factory.CreateImage("a.img", 512);
        foreach (var name in new[] { "zeta", "alpha", "Mid" })
        {
            (await _http.PostAsJsonAsync("/exports", new { name, file })).EnsureSuccessStatusCode();
        }

        var names = (await _http.GetFromJsonAsync<JsonArray>("/exports"))!.Select(e => (string?)e!["name"]);

        Assert.Equal(["Mid", "alpha", "zeta"], names);
    }

    [Fact]
    public async Task Delete_removes_and_withdraws_then_404s()
    {
        var file = _factory.CreateImage("a.img", 512);
        await _http.PostAsJsonAsync("/exports", new { name = "node1", file });

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync("/exports/node1")).StatusCode);
        _factory.NbdServer.Verify(n => n.WithdrawAsync("node1", It.IsAny<CancellationToken>()));
        await AssertProblemAsync(await _http.DeleteAsync("/exports/node1"), HttpStatusCode.NotFound, "No export is named 'node1'");
        await AssertProblemAsync(await _http.GetAsync("/exports/node1"), HttpStatusCode.NotFound, "No export is named 'node1'");
    }

    [Fact]
    public async Task When_nbd_server_cannot_serve_the_change_nothing_is_recorded()
    {
        var file = _factory.CreateImage("a.img", 512);
        _factory.NbdServer.Setup(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NbdServerUnavailableException("nbd-server is restarting"));

        var response = await _http.PostAsJsonAsync("/exports", new { name = "node1", file });

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "nbd-server is restarting");
        Assert.Empty((await _http.GetFromJsonAsync<JsonArray>("/exports"))!);
    }

    [Fact]
    public async Task Records_say_unavailable_while_nbd_server_is_down()
    {
        var file = _factory.CreateImage("a.img", 512);
        await _http.PostAsJsonAsync("/exports", new { name = "node1", file });
        _factory.NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(NbdServerState.Restarting, null, null, 1, "killed"));

        var record = await _http.GetFromJsonAsync<JsonObject>("/exports/node1");

        Assert.Equal("unavailable", (string?)record!["status"]);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string messagePart)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(messagePart, problem.GetProperty("error").GetString());
    }
}
