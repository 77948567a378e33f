using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Domain.Nodes;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Api.Tests;

/// <summary>GET /nodes: the nodes that share the registry, from their heartbeats.</summary>
public abstract class NodesApiTests : IDisposable
{
    private readonly NbdmuxApiFactory _factory;
    private readonly WebApplicationFactory<Program> _node;
    private readonly HttpClient _http;

    protected NodesApiTests(string? database)
    {
        _factory = new(database: database, runHeartbeat: true);
        _node = _factory.WithWebHostBuilder(host => host.UseSetting("Nbdmux:NodeName", "node-a"));
        _http = _node.CreateClient();
    }

    public sealed class OnSqlite() : NodesApiTests(database: null);

    public sealed class OnPostgreSql() : NodesApiTests(PostgreSqlServer.Shared.CreateDatabase())
    {
        [Fact]
        public async Task A_node_up_that_does_not_confirm_a_change_is_named_in_the_answer_after_the_timeout()
        {
            await AddNodeAsync("node-b", DateTimeOffset.UtcNow);

            var response = await _http.PostAsJsonAsync("/exports", new { name = "node1", file = _factory.CreateImage("a.img", 512) });

            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(["node-b"], response.Headers.GetValues("Nbdmux-Unconfirmed-Nodes"));
        }
    }

    private async Task AddNodeAsync(string name, DateTimeOffset lastHeartbeat)
    {
        await using var scope = _node.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NbdmuxDbContext>();
        db.Nodes.Add(Node.Start(name, "10.0.0.2", 8082, 10809, "nbd-server", lastHeartbeat));
        await db.SaveChangesAsync();
    }

    public void Dispose()
    {
        _node.Dispose();
        _factory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task The_node_answering_is_listed_up_and_serving_the_change_it_made_and_one_node_has_no_table_on_the_dashboard()
    {
        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = _factory.CreateImage("a.img", 512) })).EnsureSuccessStatusCode();

        var node = Assert.Single((await _http.GetFromJsonAsync<JsonArray>("/nodes"))!)!;

        Assert.Equal("node-a", (string?)node["name"]);
        Assert.Equal("up", (string?)node["status"]);
        Assert.True((bool?)node["local"]);
        Assert.Equal(1, (long?)node["applied_revision"]);
        Assert.Equal(0, (long?)node["lag"]);
        Assert.EndsWith(":10809", (string?)node["nbd_endpoint"]);
        Assert.NotNull(node["up_since"]);
        Assert.NotNull(node["last_heartbeat"]);
        Assert.DoesNotContain("data-node=", await _http.GetStringAsync("/dashboard/live"));
    }

    [Fact]
    public async Task A_node_that_stopped_beating_is_down_and_lags_by_the_changes_it_missed()
    {
        await AddNodeAsync("node-b", DateTimeOffset.UtcNow.AddHours(-1));

        (await _http.PostAsJsonAsync("/exports", new { name = "node1", file = _factory.CreateImage("a.img", 512) })).EnsureSuccessStatusCode();
        (await _http.DeleteAsync("/exports/node1")).EnsureSuccessStatusCode();

        var nodes = (await _http.GetFromJsonAsync<JsonArray>("/nodes"))!;
        var live = await _http.GetStringAsync("/dashboard/live");

        Assert.Equal(["node-a", "node-b"], nodes.Select(n => (string?)n!["name"]));
        var down = nodes[1]!;
        Assert.Equal(("down", 2L, false), ((string?)down["status"], (long?)down["lag"], (bool?)down["local"]));
        Assert.Equal(("http://10.0.0.2:8082", "10.0.0.2:10809", "nbd-server"), ((string?)down["api_url"], (string?)down["nbd_endpoint"], (string?)down["backend"]));
        Assert.Contains("data-node=\"node-b\"", live);
        Assert.Contains("<span class=\"state state-down\" data-testid=\"node-status\">", live);
    }

    [Fact]
    public async Task Nodes_take_the_admin_password_like_exports()
    {
        using var guarded = new NbdmuxApiFactory(adminPassword: "correct horse");

        var response = await guarded.CreateClient().GetAsync("/nodes");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
