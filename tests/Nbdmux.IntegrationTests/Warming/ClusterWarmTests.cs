using System.Text.Json.Nodes;
using Nbdmux.Domain.Exports;
using Nbdmux.Testing;

namespace Nbdmux.IntegrationTests.Warming;

/// <summary>Two nodes on one PostgreSQL registry and one image root, both allowed to fetch from one image server.</summary>
public sealed class TwoWarmingNodes : IAsyncLifetime
{
    public ImageServer Server { get; } = new();
    public NbdmuxDaemon A { get; } = new(backend: Backends.Nbdkit);
    public NbdmuxDaemon B { get; } = new(backend: Backends.Nbdkit);

    private readonly string _database = PostgreSqlServer.Shared.CreateDatabase();

    public async Task InitializeAsync()
    {
        await LaunchAsync(A);
        await LaunchAsync(B);
    }

    public Task LaunchAsync(NbdmuxDaemon node) =>
        node.LaunchAsync("--database", _database, "--node-name", node == A ? "a" : "b", "--images-dir", A.ImagesDir, "--warm-source", Server.Base);

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        Server.Dispose();
    }
}

/// <summary>A warm on a shared registry is fetched once, onto the shared image root, by one node at a time.</summary>
public sealed class ClusterWarmTests(WarmImages images, TwoWarmingNodes nodes) : IClassFixture<WarmImages>, IClassFixture<TwoWarmingNodes>
{
    [Fact]
    public async Task A_node_starting_leaves_another_nodes_warm_alone_and_a_node_that_is_up_takes_over_the_warm_of_a_killed_one()
    {
        var url = nodes.Server.Serve("slow/cluster.img.gz", new Served(images.Packed(WarmFormat.Gzip), ChunkDelay: TimeSpan.FromSeconds(1)));
        await WarmTests.WarmAsync(nodes.A, new { name = "cluster", src_url = url });
        await Eventually.TrueAsync(
            async () => (string?)(await WarmTests.RecordAsync(nodes.A, "cluster"))["status"] == "fetching" && Staged().Any(), TimeSpan.FromSeconds(10), "the warm did not start");
        var staged = Assert.Single(Staged());

        await nodes.B.KillAsync();
        await nodes.LaunchAsync(nodes.B);

        Assert.Equal([staged], Staged());
        Assert.Equal("fetching", (string?)(await WarmTests.RecordAsync(nodes.B, "cluster"))["status"]);

        await nodes.A.KillAsync();
        nodes.Server.Serve("slow/cluster.img.gz", new Served(images.Packed(WarmFormat.Gzip)));

        JsonObject record = [];
        await Eventually.TrueAsync(
            async () => (string?)(record = await WarmTests.RecordAsync(nodes.B, "cluster"))["status"] is "ready" or "failed",
            TimeSpan.FromSeconds(60), "node b did not take over the warm of node a");
        Assert.True((string?)record["status"] == "ready", $"the warm failed: {record["error"]}\n{nodes.B.Output}");
        Assert.Equal(images.Raw, await WarmTests.NbdCopyAsync(nodes.B, "cluster"));
        Assert.Empty(Staged());
    }

    private IEnumerable<string> Staged() => Directory.EnumerateFiles(nodes.A.ImagesDir, ".*.warming");
}
