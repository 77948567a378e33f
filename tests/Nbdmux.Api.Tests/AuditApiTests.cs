using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Moq;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Tests;

/// <summary>Every change leaves an audit record, whatever came of it; GET /events pages and filters them.</summary>
public abstract class AuditApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory;
    private readonly HttpClient _http;

    protected AuditApiTests(string? database)
    {
        _factory = new(database: database);
        _http = _factory.CreateClient();
    }

    public sealed class OnSqlite() : AuditApiTests(database: null);

    public sealed class OnPostgreSql() : AuditApiTests(PostgreSqlServer.Shared.CreateDatabase());

    public void Dispose()
    {
        _factory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Register_replace_and_remove_are_recorded_newest_first_with_before_and_after()
    {
        var first = _factory.CreateImage("a.img", 512);
        var second = _factory.CreateImage("b.img", 512);
        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = first })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = second, @readonly = false })).EnsureSuccessStatusCode();
        (await _http.DeleteAsync("/exports/node1")).EnsureSuccessStatusCode();

        var events = await EventsAsync("/events");

        Assert.Equal(["remove", "replace", "register"], events.Select(e => (string?)e!["action"]));
        Assert.All(events, e =>
        {
            Assert.Equal(("node1", "ok", "open", false), ((string?)e!["export"], (string?)e["outcome"], (string?)e["authentication"], (bool?)e["forced"]));
            Assert.Null(e["status"]);
            Assert.Empty(e["disconnected"]!.AsArray());
        });
        var (remove, replace, register) = (events[0]!, events[1]!, events[2]!);
        Assert.Equal((null, $"{first}, read-only"), ((string?)register["before"], (string?)register["after"]));
        Assert.Equal(($"{first}, read-only", $"{second}, read-write"), ((string?)replace["before"], (string?)replace["after"]));
        Assert.Equal(($"{second}, read-write", null), ((string?)remove["before"], (string?)remove["after"]));
        Assert.True(DateTimeOffset.UtcNow - (DateTimeOffset)remove["at"]! < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_registration_refused_by_validation_is_recorded_with_400_and_the_reason()
    {
        var response = await _http.PostAsJsonAsync("/exports", new { name = "bad name!", file = "relative.img" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var refused = Assert.Single(await EventsAsync("/events"))!;
        Assert.Equal(("register", "bad name!", "refused", 400), ((string?)refused["action"], (string?)refused["export"], (string?)refused["outcome"], (int?)refused["status"]));
        Assert.Contains("name must be", (string?)refused["reason"]);
        Assert.Contains("file must be an absolute path", (string?)refused["reason"]);
    }

    [Fact]
    public async Task A_removal_refused_while_in_use_is_recorded_with_409_and_no_disconnected_peer()
    {
        var file = _factory.CreateImage("a.img", 512);
        (await _http.PostAsJsonAsync("/exports", new { name = "busy", file })).EnsureSuccessStatusCode();
        _factory.NbdServer.Setup(n => n.Connections()).Returns([new ClientConnection("c1", "busy", "10.0.0.7:4711", DateTimeOffset.UtcNow)]);

        Assert.Equal(HttpStatusCode.Conflict, (await _http.DeleteAsync("/exports/busy")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync("/exports/busy?force=true")).StatusCode);

        var (forced, refused) = (await EventsAsync("/events?action=remove")) is [var a, var b] ? (a!, b!) : throw new Xunit.Sdk.XunitException("expected two removals");
        Assert.Equal(("refused", 409, false), ((string?)refused["outcome"], (int?)refused["status"], (bool?)refused["forced"]));
        Assert.Contains("in use by 10.0.0.7:4711", (string?)refused["reason"]);
        Assert.Empty(refused["disconnected"]!.AsArray());
        Assert.Equal(("ok", true), ((string?)forced["outcome"], (bool?)forced["forced"]));
        Assert.Equal(["10.0.0.7:4711"], forced["disconnected"]!.AsArray().Select(peer => (string?)peer));
    }

    [Fact]
    public async Task A_change_rolled_back_because_nbd_server_is_unavailable_is_still_recorded_with_503()
    {
        var file = _factory.CreateImage("a.img", 512);
        _factory.NbdServer.Setup(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NbdServerUnavailableException("nbd-server is restarting"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.PostAsJsonAsync("/exports", new { name = "node1", file })).StatusCode);

        Assert.Empty((await _http.GetFromJsonAsync<JsonArray>("/exports"))!);
        var refused = Assert.Single(await EventsAsync("/events"))!;
        Assert.Equal(("register", "refused", 503, "nbd-server is restarting"),
            ((string?)refused["action"], (string?)refused["outcome"], (int?)refused["status"], (string?)refused["reason"]));
    }

    [Fact]
    public async Task Events_are_paged_newest_first_and_filtered_by_export_action_and_outcome()
    {
        var file = _factory.CreateImage("a.img", 512);
        for (var i = 0; i < 5; i++)
        {
            (await _http.PostAsJsonAsync("/exports", new { name = $"n{i}", file })).EnsureSuccessStatusCode();
        }

        await _http.DeleteAsync("/exports/n1");
        await _http.DeleteAsync("/exports/missing");

        var second = await _http.GetFromJsonAsync<JsonObject>("/events?page=2&page_size=2");
        Assert.Equal((2, 2, 7), ((int?)second!["page"], (int?)second["page_size"], (int?)second["total"]));
        Assert.Equal(["n4", "n3"], second["events"]!.AsArray().Select(e => (string?)e!["export"]));
        Assert.Equal(["n0"], (await EventsAsync("/events?page=4&page_size=2")).Select(e => (string?)e!["export"]));

        Assert.Equal(["remove", "register"], (await EventsAsync("/events?export=n1")).Select(e => (string?)e!["action"]));
        Assert.Equal(["missing", "n1"], (await EventsAsync("/events?action=remove")).Select(e => (string?)e!["export"]));
        var notFound = Assert.Single(await EventsAsync("/events?outcome=refused"))!;
        Assert.Equal(("missing", 404), ((string?)notFound["export"], (int?)notFound["status"]));
        Assert.Empty(await EventsAsync("/events?export=n1&outcome=refused"));
    }

    [Theory]
    [InlineData("/events?page=0", "page must be between")]
    [InlineData("/events?page_size=501", "page_size must be between 1 and 500")]
    [InlineData("/events?action=reboot", "action must be one of: register, replace, remove, login")]
    [InlineData("/events?outcome=maybe", "outcome must be one of: ok, refused, failed")]
    public async Task Bad_paging_or_filters_are_refused_with_what_to_fix(string path, string message) =>
        await ExportsApiTests.AssertProblemAsync(await _http.GetAsync(path), HttpStatusCode.BadRequest, message);

    private async Task<JsonArray> EventsAsync(string path) =>
        (await _http.GetFromJsonAsync<JsonObject>(path))!["events"]!.AsArray();
}
