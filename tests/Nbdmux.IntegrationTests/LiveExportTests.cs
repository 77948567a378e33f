using Nbdmux.Infrastructure.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>Guarantees 1, 2, 3 and 5: what the API acknowledges is true on the wire for the next client.</summary>
public sealed class LiveExportTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private NbdmuxDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task A_registered_export_negotiates_at_once_and_serves_its_file()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "g1.img", seed: 11);

        await Daemon.RegisterAsync("g1", image.Path);
        await using var connection = await Daemon.ConnectAsync("g1"); // no sleep, no retry

        Assert.Equal(image.SizeBytes, connection.Size);
        Assert.True(connection.IsReadOnly);
        Assert.True(TestImage.IsSectorOf(11, 7, await connection.ReadAsync(7 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    [Fact]
    public async Task A_removed_export_is_refused_to_the_next_client()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "g2.img", seed: 22);
        await Daemon.RegisterAsync("g2", image.Path);
        await (await Daemon.ConnectAsync("g2")).DisposeAsync();

        await Daemon.RemoveAsync("g2");

        await Assert.ThrowsAsync<NbdNegotiationException>(() => Daemon.ConnectAsync("g2"));
    }

    [Fact]
    public async Task Re_registering_with_another_file_serves_the_new_file_to_the_next_client()
    {
        var first = TestImage.Create(Daemon.ImagesDir, "g3-a.img", seed: 30);
        var second = TestImage.Create(Daemon.ImagesDir, "g3-b.img", seed: 130, sectors: 4096);
        await Daemon.RegisterAsync("g3", first.Path);
        await using (var before = await Daemon.ConnectAsync("g3"))
        {
            Assert.True(TestImage.IsSectorOf(30, 5, await before.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        await Daemon.RegisterAsync("g3", second.Path);

        await using var after = await Daemon.ConnectAsync("g3");
        Assert.Equal(second.SizeBytes, after.Size);
        Assert.True(TestImage.IsSectorOf(130, 5, await after.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    [Fact]
    public async Task Clients_are_counted_against_their_own_export_when_exports_share_an_image()
    {
        var shared = TestImage.Create(Daemon.ImagesDir, "shared.img", seed: 44);
        await Daemon.RegisterAsync("node-a", shared.Path);
        await Daemon.RegisterAsync("node-b", shared.Path);
        await using var bootedA = await Daemon.ConnectAsync("node-a");

        var exports = await Daemon.Http.GetStringAsync("/exports");

        Assert.Contains("\"name\":\"node-a\"", exports);
        var counts = System.Text.Json.Nodes.JsonNode.Parse(exports)!.AsArray()
            .Where(e => ((string?)e!["name"])!.StartsWith("node-"))
            .ToDictionary(e => (string)e!["name"]!, e => (int)e!["connection_count"]!);
        Assert.Equal(new Dictionary<string, int> { ["node-a"] = 1, ["node-b"] = 0 }, counts);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await Daemon.Http.DeleteAsync("/exports/node-b")).StatusCode);
    }

    [Fact]
    public async Task Re_registering_with_another_mode_gives_new_clients_the_new_mode()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "g4.img", seed: 40);
        await Daemon.RegisterAsync("g4", image.Path, readOnly: true);
        await using var reader = await Daemon.ConnectAsync("g4");

        await Daemon.RegisterAsync("g4", image.Path, readOnly: false);

        await using var writer = await Daemon.ConnectAsync("g4");
        Assert.False(writer.IsReadOnly);
        var sector = Enumerable.Repeat((byte)0xEE, TestImage.SectorSize).ToArray();
        await writer.WriteAsync(0, sector, default);
        await writer.FlushAsync(default);
        Assert.Equal(sector, File.ReadAllBytes(image.Path)[..TestImage.SectorSize]);
        Assert.True(reader.IsReadOnly);
        Assert.Equal(sector, await reader.ReadAsync(0, TestImage.SectorSize, default));
    }

    [Fact]
    public async Task Serves_many_sequential_and_concurrent_clients()
    {
        var image = TestImage.Create(Daemon.ImagesDir, "g5.img", seed: 50);
        await Daemon.RegisterAsync("g5", image.Path);

        for (var i = 0; i < 30; i++)
        {
            await using var connection = await Daemon.ConnectAsync("g5");
            Assert.True(TestImage.IsSectorOf(50, i, await connection.ReadAsync(i * TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        // nbd-server listens with a backlog of 10, so clients connect in waves and then all read at once.
        var connections = new List<NbdConnection>();
        foreach (var wave in Enumerable.Range(0, 24).Chunk(8))
        {
            connections.AddRange(await Task.WhenAll(wave.Select(_ => Daemon.ConnectAsync("g5"))));
        }

        var reads = await Task.WhenAll(connections.Select(async (connection, i) =>
            TestImage.IsSectorOf(50, i, await connection.ReadAsync(i * TestImage.SectorSize, TestImage.SectorSize, default))));
        Assert.All(reads, Assert.True);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nbdmux_own_proof_of_a_change_never_counts_as_a_client()
    {
        var first = TestImage.Create(Daemon.ImagesDir, "quick-a.img", seed: 90);
        var second = TestImage.Create(Daemon.ImagesDir, "quick-b.img", seed: 91);
        await Daemon.RegisterAsync("quick", first.Path);

        for (var round = 0; round < 10; round++)
        {
            // Each change is proven with a real negotiation. The record in the response is read the
            // moment that proof ends, and must not count it as a client (nor may the next change).
            var record = System.Text.Json.Nodes.JsonNode.Parse(await Daemon.RegisterAsync("quick", round % 2 == 0 ? second.Path : first.Path))!;
            Assert.Equal(0, (int?)record["connection_count"]);
        }

        await Daemon.RemoveAsync("quick");
    }

    [Fact]
    public async Task An_unknown_name_is_refused()
    {
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => Daemon.ConnectAsync("never-registered"));

        Assert.True(refusal.IsUnknownExport);
    }
}
