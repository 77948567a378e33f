using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>Three nodes (ports and data dirs of their own, one image root) sharing one PostgreSQL registry.</summary>
public sealed class ThreeNodes : IAsyncLifetime
{
    public NbdmuxDaemon A { get; } = new();
    public NbdmuxDaemon B { get; } = new();
    public NbdmuxDaemon C { get; } = new();

    public IReadOnlyList<NbdmuxDaemon> All => [A, B, C];

    public async Task InitializeAsync()
    {
        var database = PostgreSqlServer.Shared.CreateDatabase();
        foreach (var (node, name) in All.Zip(["a", "b", "c"]))
        {
            await node.LaunchAsync("--database", database, "--node-name", name, "--images-dir", A.ImagesDir);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in All)
        {
            await node.DisposeAsync();
        }
    }
}

public sealed class ClusterTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    [Fact]
    public async Task A_change_through_one_node_is_served_by_every_node_when_it_is_answered()
    {
        var image = TestImage.Create(nodes.A.ImagesDir, "shared.img", seed: 7);

        var registered = await nodes.A.Http.PostAsJsonAsync("/exports", new { name = "shared", file = image.Path });

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.False(registered.Headers.Contains("Nbdmux-Unconfirmed-Nodes"));
        foreach (var node in nodes.All)
        {
            // No sleep, no retry: the answer came only once every node served it.
            await using var connection = await node.ConnectAsync("shared");
            Assert.Equal(image.SizeBytes, connection.Size);
        }

        Assert.Equal(HttpStatusCode.OK, (await nodes.B.Http.GetAsync("/exports/shared")).StatusCode);
        Assert.Contains("shared", (await nodes.C.Http.GetFromJsonAsync<JsonArray>("/exports"))!.Select(e => (string?)e!["name"]));

        Assert.Equal(HttpStatusCode.NoContent, (await nodes.B.Http.DeleteAsync("/exports/shared")).StatusCode);
        foreach (var node in nodes.All)
        {
            await Assert.ThrowsAsync<NbdNegotiationException>(() => node.ConnectAsync("shared"));
        }

        var cluster = (await nodes.C.Http.GetFromJsonAsync<JsonArray>("/nodes"))!;
        Assert.Equal(["a", "b", "c"], cluster.Select(n => (string?)n!["name"]));
        Assert.All(cluster, n => Assert.Equal(("up", 0L), ((string?)n!["status"], (long?)n["lag"])));
    }
}
