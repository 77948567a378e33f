using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>The plugin reads exports/NAME at every connection: a change needs no signal or restart.</summary>
public sealed class PublicationTests
{
    [Fact]
    public async Task A_new_record_is_negotiable_right_after_it_is_written()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("new.img", seed: 11);
        var record = (await ExportRecord.OfAsync(server.ImagesRoot, "new.img")).ToString();
        await Assert.ThrowsAsync<NbdNegotiationException>(() => server.ConnectAsync("new", TestTimeout.Token));

        server.Publish("new", record);
        await using var connection = await server.ConnectAsync("new", TestTimeout.Token);

        Assert.Equal(image.SizeBytes, connection.Size);
        Assert.True(TestImage.IsSectorOf(image.Seed, 7, await connection.ReadAsync(7 * 512, 512, TestTimeout.Token)));
    }

    [Fact]
    public async Task A_removed_record_is_refused_at_once()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        server.CreateImage("gone.img", seed: 12);
        server.Publish("gone", (await ExportRecord.OfAsync(server.ImagesRoot, "gone.img")).ToString());
        await (await server.ConnectAsync("gone", TestTimeout.Token)).DisposeAsync();

        server.Withdraw("gone");
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => server.ConnectAsync("gone", TestTimeout.Token));

        Assert.True(refusal.IsUnknownExport, refusal.Message);
        Assert.Null(server.Withheld("gone"));
    }

    [Fact]
    public async Task A_changed_record_serves_the_new_file_to_the_next_client_while_a_connected_one_keeps_the_old()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var first = server.CreateImage("first.img", seed: 13);
        var second = server.CreateImage("second.img", seed: 113, sectors: 4096);
        server.Publish("changing", (await ExportRecord.OfAsync(server.ImagesRoot, "first.img")).ToString());
        await using var connected = await server.ConnectAsync("changing", TestTimeout.Token);

        server.Publish("changing", (await ExportRecord.OfAsync(server.ImagesRoot, "second.img")).ToString());
        await using var next = await server.ConnectAsync("changing", TestTimeout.Token);

        Assert.Equal(second.SizeBytes, next.Size);
        Assert.True(TestImage.IsSectorOf(second.Seed, 3, await next.ReadAsync(3 * 512, 512, TestTimeout.Token)));
        Assert.Equal(first.SizeBytes, connected.Size);
        Assert.True(TestImage.IsSectorOf(first.Seed, 3, await connected.ReadAsync(3 * 512, 512, TestTimeout.Token)));
    }
}
