using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>Three nodes (ports and data dirs of their own, one image root) sharing one PostgreSQL registry, on nbd-server.</summary>
public class ThreeNodes : IAsyncLifetime
{
    public ThreeNodes()
        : this(Backends.NbdServer)
    {
    }

    protected ThreeNodes(string backend)
    {
        A = new(backend: backend);
        B = new(backend: backend);
        C = new(backend: backend);
    }

    public NbdmuxDaemon A { get; }
    public NbdmuxDaemon B { get; }
    public NbdmuxDaemon C { get; }

    public IReadOnlyList<NbdmuxDaemon> All => [A, B, C];

    private readonly string _database = PostgreSqlServer.Shared.CreateDatabase();

    public async Task InitializeAsync()
    {
        foreach (var node in All)
        {
            await LaunchAsync(node);
        }
    }

    /// <summary>Starts (or starts again) a node, and waits until it says it is healthy.</summary>
    public Task LaunchAsync(NbdmuxDaemon node) =>
        node.LaunchAsync("--database", _database, "--node-name", NameOf(node), "--images-dir", A.ImagesDir);

    public string NameOf(NbdmuxDaemon node) => node == A ? "a" : node == B ? "b" : "c";

    public async Task DisposeAsync()
    {
        foreach (var node in All)
        {
            await node.DisposeAsync();
        }
    }
}

/// <summary>The same three nodes on nbdkit.</summary>
public sealed class ThreeNbdkitNodes() : ThreeNodes(Backends.Nbdkit);

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

    [Fact]
    public async Task A_killed_node_leaves_the_others_serving_and_changing_and_has_caught_up_when_it_is_healthy_again()
    {
        var image = TestImage.Create(nodes.A.ImagesDir, "while-c-is-away.img", seed: 9);
        await nodes.C.KillAsync();
        try
        {
            var registered = await nodes.A.Http.PostAsJsonAsync("/exports", new { name = "while-c-is-away", file = image.Path });

            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            // Its heartbeat is still recent: it is waited for, and named when it does not confirm.
            Assert.Equal(["c"], registered.Headers.GetValues("Nbdmux-Unconfirmed-Nodes"));
            await (await nodes.B.ConnectAsync("while-c-is-away")).DisposeAsync();
        }
        finally
        {
            await nodes.LaunchAsync(nodes.C);
        }

        await (await nodes.C.ConnectAsync("while-c-is-away")).DisposeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await nodes.C.Http.DeleteAsync("/exports/while-c-is-away")).StatusCode);
    }

    [Fact]
    public async Task Without_postgresql_every_node_goes_on_serving_and_refuses_changes_with_503_until_it_is_back()
    {
        var image = TestImage.Create(nodes.A.ImagesDir, "before-outage.img", seed: 11);
        (await nodes.A.Http.PostAsJsonAsync("/exports", new { name = "before-outage", file = image.Path })).EnsureSuccessStatusCode();
        PostgreSqlServer.Shared.Stop();
        try
        {
            foreach (var node in nodes.All)
            {
                await (await node.ConnectAsync("before-outage")).DisposeAsync();
                Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/healthz")).StatusCode);
            }

            var refused = await nodes.B.Http.PostAsJsonAsync("/exports", new { name = "during-outage", file = image.Path });

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("could not reach its registry", await refused.Content.ReadAsStringAsync());
        }
        finally
        {
            PostgreSqlServer.Shared.Restart();
        }

        // The first attempts may meet connections the outage broke; then it works as before.
        HttpResponseMessage? removed = null;
        var answers = new List<string>();
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    removed = await nodes.B.Http.DeleteAsync("/exports/before-outage");
                    answers.Add($"{(int)removed.StatusCode} {await removed.Content.ReadAsStringAsync()}");
                    return removed.StatusCode == HttpStatusCode.NoContent;
                },
                TimeSpan.FromSeconds(20), "the registry was back");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; DELETE answered: {string.Join(" | ", answers.Distinct())}", e);
        }
        Assert.False(removed!.Headers.Contains("Nbdmux-Unconfirmed-Nodes"));
        foreach (var node in nodes.All)
        {
            await Assert.ThrowsAsync<NbdNegotiationException>(() => node.ConnectAsync("before-outage"));
        }
    }
}

/// <summary>Clients on one node keep changes through another from cutting them off, until forced; on each backend.</summary>
public abstract class ClusterClientTests(ThreeNodes nodes)
{
    [Fact]
    public async Task A_client_on_one_node_refuses_a_delete_through_another_until_forced_and_force_cuts_it_there()
    {
        var image = TestImage.Create(nodes.A.ImagesDir, "booted-on-b.img", seed: 13);
        (await nodes.A.Http.PostAsJsonAsync("/exports", new { name = "booted-on-b", file = image.Path })).EnsureSuccessStatusCode();
        await using var booted = await nodes.B.ConnectAsync("booted-on-b");
        // B records its clients a few milliseconds after its NBD server lists them; A shows them once it has.
        JsonObject? seen = null;
        await Eventually.TrueAsync(
            async () => (int?)(seen = await nodes.A.Http.GetFromJsonAsync<JsonObject>("/exports/booted-on-b"))!["connection_count"] == 1,
            TimeSpan.FromSeconds(10), "node a showed the client on node b");
        Assert.Equal("b", (string?)seen!["connections"]![0]!["node"]);
        var listed = (await nodes.C.Http.GetFromJsonAsync<JsonArray>("/exports"))!.Single(e => (string?)e!["name"] == "booted-on-b")!;
        Assert.Equal(("b", 1), ((string?)listed["connections"]![0]!["node"], (int?)listed["connection_count"]));

        var refused = await nodes.A.Http.DeleteAsync("/exports/booted-on-b");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("on node b", (string?)problem["detail"]);
        Assert.Equal("b", (string?)problem["connections"]![0]!["node"]);
        Assert.True(TestImage.IsSectorOf(13, 1, await booted.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));

        var forced = await nodes.A.Http.DeleteAsync("/exports/booted-on-b?force=true");

        Assert.Equal(HttpStatusCode.NoContent, forced.StatusCode);
        Assert.False(forced.Headers.Contains("Nbdmux-Unconfirmed-Nodes"));
        // No wait: node b cut its client before it confirmed the change, and the answer waited for that.
        await Assert.ThrowsAnyAsync<IOException>(() => booted.ReadAsync(0, TestImage.SectorSize, default));
        foreach (var node in nodes.All)
        {
            await Assert.ThrowsAsync<NbdNegotiationException>(() => node.ConnectAsync("booted-on-b"));
        }
    }

    [Fact]
    public async Task A_file_swapped_by_force_through_one_node_cuts_the_old_files_client_on_another_and_serves_the_new_file_there()
    {
        var first = TestImage.Create(nodes.A.ImagesDir, "swap-first.img", seed: 21);
        var second = TestImage.Create(nodes.A.ImagesDir, "swap-second.img", seed: 121);
        (await nodes.A.Http.PostAsJsonAsync("/exports", new { name = "swap-on-c", file = first.Path })).EnsureSuccessStatusCode();
        await using var booted = await nodes.C.ConnectAsync("swap-on-c");
        await Eventually.TrueAsync(
            async () => (int?)(await nodes.B.Http.GetFromJsonAsync<JsonObject>("/exports/swap-on-c"))!["connection_count"] == 1,
            TimeSpan.FromSeconds(10), "node b showed the client on node c");

        var refused = await nodes.B.Http.PostAsJsonAsync("/exports", new { name = "swap-on-c", file = second.Path });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("on node c", await refused.Content.ReadAsStringAsync());

        var forced = await nodes.B.Http.PostAsJsonAsync("/exports?force=true", new { name = "swap-on-c", file = second.Path });

        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.False(forced.Headers.Contains("Nbdmux-Unconfirmed-Nodes"));
        await Assert.ThrowsAnyAsync<IOException>(() => booted.ReadAsync(0, TestImage.SectorSize, default));
        await using var fresh = await nodes.C.ConnectAsync("swap-on-c");
        Assert.True(TestImage.IsSectorOf(121, 0, await fresh.ReadAsync(0, TestImage.SectorSize, default)));
        // A client of the new file is left alone by c's later passes; the next forced change cuts it.
        (await nodes.A.Http.PostAsJsonAsync("/exports", new { name = "after-swap", file = first.Path })).EnsureSuccessStatusCode();
        Assert.True(TestImage.IsSectorOf(121, 1, await fresh.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));
        Assert.Equal(HttpStatusCode.NoContent, (await nodes.A.Http.DeleteAsync("/exports/swap-on-c?force=true")).StatusCode);
        await Assert.ThrowsAnyAsync<IOException>(() => fresh.ReadAsync(0, TestImage.SectorSize, default));
        Assert.Equal(HttpStatusCode.NoContent, (await nodes.A.Http.DeleteAsync("/exports/after-swap")).StatusCode);
    }
}

public sealed class NbdServerClusterClientTests(ThreeNodes nodes) : ClusterClientTests(nodes), IClassFixture<ThreeNodes>;

public sealed class NbdkitClusterClientTests(ThreeNbdkitNodes nodes) : ClusterClientTests(nodes), IClassFixture<ThreeNbdkitNodes>;
