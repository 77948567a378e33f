using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests;

/// <summary>What may be exported, who may connect, in-use protection, copy-on-write.</summary>
public sealed class SafetyTests(BackendDaemons daemons) : IClassFixture<BackendDaemons>
{
    [Theory]
    [InlineData(Backends.Nbdkit, "/etc/passwd", "outside the image roots")]
    [InlineData(Backends.Nbdkit, "ROOT/link-to-shadow.img", "resolves to '/etc/shadow'")]
    [InlineData(Backends.Nbdkit, "ROOT/disk.qcow2", "is a qcow2 image")]
    [InlineData(Backends.Nbdkit, "ROOT/disk.img.gz", "is a gzip image")]
    [InlineData(Backends.NbdServer, "/etc/passwd", "outside the image roots")]
    [InlineData(Backends.NbdServer, "ROOT/link-to-shadow.img", "resolves to '/etc/shadow'")]
    [InlineData(Backends.NbdServer, "ROOT/disk.qcow2", "is a qcow2 image")]
    [InlineData(Backends.NbdServer, "ROOT/disk.img.gz", "is a gzip image")]
    public async Task Refused_files_are_never_exported(string backend, string file, string reason)
    {
        var daemon = await daemons.For(backend);
        var root = daemon.ImagesDir;
        if (!File.Exists(Path.Combine(root, "disk.qcow2")))
        {
            File.CreateSymbolicLink(Path.Combine(root, "link-to-shadow.img"), "/etc/shadow");
            File.WriteAllBytes(Path.Combine(root, "disk.qcow2"), [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3, .. new byte[65536]]);
            File.WriteAllBytes(Path.Combine(root, "disk.img.gz"), [0x1f, 0x8b, 0x08, 0, .. new byte[512]]);
        }

        var response = await daemon.Http.PostAsJsonAsync("/exports", new { name = "stolen", file = file.Replace("ROOT", root) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("stolen"));
        Assert.True(refusal.IsUnknownExport);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_record_says_which_partition_table_the_image_carries(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "mbr.img", seed: 0);
        using (var file = File.OpenWrite(image.Path))
        {
            file.Position = 510;
            file.Write([0x55, 0xAA]);
        }

        var record = JsonNode.Parse(await daemon.RegisterAsync("with-mbr", image.Path))!;

        Assert.Equal("mbr", (string?)record["partition_table"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_allow_list_admits_listed_clients_only_and_changes_take_effect_for_the_next_connection(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "allow.img", seed: 5);

        await daemon.RegisterAsync("guarded", image.Path, allow: ["10.99.0.0/16", "fd00:99::/32"]);
        var refusal = await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("guarded"));
        Assert.True(Backends.IsDenial(backend, refusal));

        await daemon.RegisterAsync("guarded", image.Path, allow: ["10.99.0.0/16", "127.0.0.0/8"]);
        await using (var admitted = await daemon.ConnectAsync("guarded"))
        {
            Assert.True(TestImage.IsSectorOf(5, 1, await admitted.ReadAsync(TestImage.SectorSize, TestImage.SectorSize, default)));
        }

        await daemon.RegisterAsync("guarded", image.Path, allow: ["::1"]);
        Assert.True(Backends.IsDenial(backend, await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("guarded"))));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Removing_a_connected_export_is_refused_until_forced_and_force_disconnects_the_client(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "busy.img", seed: 9);
        await daemon.RegisterAsync("busy", image.Path);
        await using var booted = await daemon.ConnectAsync("busy");

        var record = await daemon.Http.GetFromJsonAsync<JsonObject>("/exports/busy");
        Assert.Equal(1, (int?)record!["connection_count"]);
        Assert.StartsWith("127.0.0.1:", (string?)record["connections"]![0]!["peer"]);
        var listed = (await daemon.Http.GetFromJsonAsync<JsonArray>("/exports"))!.Single(e => (string?)e!["name"] == "busy");
        Assert.Equal(1, (int?)listed!["connection_count"]);

        var refused = await daemon.Http.DeleteAsync("/exports/busy");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("127.0.0.1:", await refused.Content.ReadAsStringAsync());
        Assert.True(TestImage.IsSectorOf(9, 2, await booted.ReadAsync(2 * TestImage.SectorSize, TestImage.SectorSize, default)));

        Assert.Equal(HttpStatusCode.NoContent, (await daemon.Http.DeleteAsync("/exports/busy?force=true")).StatusCode);
        await Assert.ThrowsAnyAsync<IOException>(() => booted.ReadAsync(0, TestImage.SectorSize, default));
        await Assert.ThrowsAsync<NbdNegotiationException>(() => daemon.ConnectAsync("busy"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Changing_the_file_of_a_connected_export_is_refused_until_forced(string backend)
    {
        var daemon = await daemons.For(backend);
        var first = TestImage.Create(daemon.ImagesDir, "swap-a.img", seed: 20);
        var second = TestImage.Create(daemon.ImagesDir, "swap-b.img", seed: 120);
        await daemon.RegisterAsync("swap", first.Path);
        await using var booted = await daemon.ConnectAsync("swap");

        var refused = await daemon.Http.PostAsJsonAsync("/exports", new { name = "swap", file = second.Path });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        await using (var stillOld = await daemon.ConnectAsync("swap"))
        {
            Assert.True(TestImage.IsSectorOf(20, 0, await stillOld.ReadAsync(0, TestImage.SectorSize, default)));
        }

        var forced = await daemon.Http.PostAsJsonAsync("/exports?force=true", new { name = "swap", file = second.Path });
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        await Assert.ThrowsAnyAsync<IOException>(() => booted.ReadAsync(0, TestImage.SectorSize, default));
        await using var fresh = await daemon.ConnectAsync("swap");
        Assert.True(TestImage.IsSectorOf(120, 0, await fresh.ReadAsync(0, TestImage.SectorSize, default)));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_copy_on_write_client_writes_privately_and_the_image_never_changes(string backend)
    {
        var daemon = await daemons.For(backend);
        var image = TestImage.Create(daemon.ImagesDir, "cow.img", seed: 33);
        var checksum = SHA256.HashData(File.ReadAllBytes(image.Path));
        var record = JsonNode.Parse(await daemon.RegisterCopyOnWriteAsync("lab-cow", image.Path))!;
        Assert.Equal((true, false), ((bool?)record["copy_on_write"], (bool?)record["readonly"]));

        var written = Enumerable.Repeat((byte)0xAB, TestImage.SectorSize).ToArray();
        await using (var writer = await daemon.ConnectAsync("lab-cow"))
        {
            Assert.False(writer.IsReadOnly);
            await writer.WriteAsync(3 * TestImage.SectorSize, written, default);
            await writer.FlushAsync(default);
            Assert.Equal(written, await writer.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default));

            await using var neighbour = await daemon.ConnectAsync("lab-cow");
            Assert.True(TestImage.IsSectorOf(33, 3, await neighbour.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
            Assert.True(await daemon.MetricAsync("nbdmux_cow_overlay_bytes") > 0, "the writer's overlay is not counted");
        }

        await Eventually.TrueAsync(async () => await daemon.MetricAsync("nbdmux_cow_overlay_bytes") == 0, what: "overlay gone after disconnect");

        Assert.Equal(checksum, SHA256.HashData(File.ReadAllBytes(image.Path)));
        await using var later = await daemon.ConnectAsync("lab-cow");
        Assert.True(TestImage.IsSectorOf(33, 3, await later.ReadAsync(3 * TestImage.SectorSize, TestImage.SectorSize, default)));
    }
}
