using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>Guarantees 1, 2, 3 and 5: what the API acknowledges is true on the wire for the next client.</summary>
public sealed class LiveExportTests(BackendDaemons daemons) : IClassFixture<BackendDaemons>
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_registered_export_negotiates_at_once_and_serves_its_file(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "g1.img", seed: 11);

        await daemon.RegisterAsync("g1", image.Path);
        await using var connection = await daemon.ConnectAsync("g1"); // no sleep, no retry

        Assert.Equal(image.SizeBytes, connection.Size);
        Assert.True(connection.IsReadOnly);
        Assert.True(TestImage.IsSectorOf(11, 7, await connection.ReadAsync(7 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_removed_export_is_refused_to_the_next_client(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "g2.img", seed: 22);
        await daemon.RegisterAsync("g2", image.Path);
        await (await daemon.ConnectAsync("g2")).DisposeAsync();

        await daemon.RemoveAsync("g2");

        await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("g2"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Re_registering_with_another_file_serves_the_new_file_to_the_next_client(string backend)
    {
        var daemon = await daemons.For(backend);
        var first = TestImage.Create(daemon.ImagesDir, "g3-a.img", seed: 30);
        var second = TestImage.Create(daemon.ImagesDir, "g3-b.img", seed: 130, sectors: 4096);
        await daemon.RegisterAsync("g3", first.Path);
        await using (var before = await daemon.ConnectAsync("g3"))
        {
            Assert.True(TestImage.IsSectorOf(30, 5, await before.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        await daemon.RegisterAsync("g3", second.Path);

        await using var after = await daemon.ConnectAsync("g3");
        Assert.Equal(second.SizeBytes, after.Size);
        Assert.True(TestImage.IsSectorOf(130, 5, await after.ReadAsync(5 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Clients_are_counted_against_their_own_export_when_exports_share_an_image(string backend)
    {
        var daemon = await daemons.For(backend);
        var shared = TestImage.Create(daemon.ImagesDir, "shared.img", seed: 44);
        await daemon.RegisterAsync("node-a", shared.Path);
        await daemon.RegisterAsync("node-b", shared.Path);
        await using var bootedA = await daemon.ConnectAsync("node-a");

        var exports = await daemon.Http.GetStringAsync("/exports");

        Assert.Contains("\"name\":\"node-a\"", exports);
        var counts = System.Text.Json.Nodes.JsonNode.Parse(exports)!.AsArray()
            .Where(e => ((string?)e!["name"])!.StartsWith("node-", StringComparison.Ordinal))
            .ToDictionary(e => (string)e!["name"]!, e => (int)e!["connection_count"]!);
        Assert.Equal(new Dictionary<string, int> { ["node-a"] = 1, ["node-b"] = 0 }, counts);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await daemon.Http.DeleteAsync("/exports/node-b")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Re_registering_with_another_mode_gives_new_clients_the_new_mode(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "g4.img", seed: 40);
        await daemon.RegisterAsync("g4", image.Path, readOnly: true);
        await using var reader = await daemon.ConnectAsync("g4");

        await daemon.RegisterAsync("g4", image.Path, readOnly: false);

        await using var writer = await daemon.ConnectAsync("g4");
        Assert.False(writer.IsReadOnly);
        var sector = Enumerable.Repeat((byte)0xEE, TestImage.SectorSize).ToArray();
        await writer.WriteAsync(0, sector, default);
        await writer.FlushAsync(default);
        Assert.Equal(sector, File.ReadAllBytes(image.Path)[..TestImage.SectorSize]);
        Assert.True(reader.IsReadOnly);
        Assert.Equal(sector, await reader.ReadAsync(0, TestImage.SectorSize, default));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Serves_many_sequential_and_concurrent_clients(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "g5.img", seed: 50);
        await daemon.RegisterAsync("g5", image.Path);

        for (var i = 0; i < 30; i++)
        {
            await using var connection = await daemon.ConnectAsync("g5");
            Assert.True(TestImage.IsSectorOf(50, i, await connection.ReadAsync(i * TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        // nbd-server listens with a backlog of 10, so clients connect in waves and then all read at once.
        var connections = new List<NbdConnection>();
        foreach (var wave in Enumerable.Range(0, 24).Chunk(8))
        {
            connections.AddRange(await Task.WhenAll(wave.Select(_ => daemon.ConnectAsync("g5"))));
        }

        var reads = await Task.WhenAll(connections.Select(async (connection, i) =>
            TestImage.IsSectorOf(50, i, await connection.ReadAsync(i * TestImage.SectorSize, TestImage.SectorSize, default))));
        Assert.All(reads, Assert.True);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Nbdmux_own_proof_of_a_change_never_counts_as_a_client(string backend)
    {
        var daemon = await daemons.For(backend);
        var first = TestImage.Create(daemon.ImagesDir, "quick-a.img", seed: 90);
        var second = TestImage.Create(daemon.ImagesDir, "quick-b.img", seed: 91);
        await daemon.RegisterAsync("quick", first.Path);

        for (var round = 0; round < 10; round++)
        {
            // Each change is proven with a real negotiation. The record in the response is read the
            // moment that proof ends, and must not count it as a client (nor may the next change).
            var record = System.Text.Json.Nodes.JsonNode.Parse(await daemon.RegisterAsync("quick", round % 2 == 0 ? second.Path : first.Path))!;
            Assert.Equal(0, (int?)record["connection_count"]);
        }

        await daemon.RemoveAsync("quick");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_unknown_name_is_refused(string backend)
    {
        var daemon = await daemons.For(backend);
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("never-registered"));

        Assert.True(refusal.IsUnknownExport);
    }
}
