using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Nbdmux.IntegrationTests;

/// <summary>The audit log against the real daemon: a forced change names the machines it cut off.</summary>
public sealed class AuditTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task A_forced_remove_is_audited_with_the_peer_it_disconnected()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "audited.img", seed: 31);
        await Daemon.RegisterAsync("audited", image.Path);
        await using var booted = await Daemon.ConnectAsync("audited");
        var peer = Assert.Single((await Daemon.Http.GetFromJsonAsync<JsonObject>("/exports/audited"))!["connections"]!.AsArray())!["peer"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Conflict, (await Daemon.Http.DeleteAsync("/exports/audited")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Daemon.Http.DeleteAsync("/exports/audited?force=true")).StatusCode);

        var events = (await Daemon.Http.GetFromJsonAsync<JsonObject>("/events?export=audited"))!["events"]!.AsArray();
        Assert.Equal([("remove", "ok"), ("remove", "refused"), ("register", "ok")],
            events.Select(e => ((string?)e!["action"], (string?)e["outcome"])));
        var forced = events[0]!;
        Assert.True((bool?)forced["forced"]);
        Assert.Equal([peer], forced["disconnected"]!.AsArray().Select(p => (string?)p));
        Assert.Equal(($"{image.Path}, read-only", null), ((string?)forced["before"], (string?)forced["after"]));
        Assert.Equal(("127.0.0.1", "open"), ((string?)forced["actor_address"], (string?)forced["authentication"]));
        Assert.Empty(events[1]!["disconnected"]!.AsArray());
        Assert.Equal(409, (int?)events[1]!["status"]);
    }
}
