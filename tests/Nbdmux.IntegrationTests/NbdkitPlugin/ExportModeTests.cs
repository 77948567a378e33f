using System.Security.Cryptography;
using System.Text.Json;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>ro, rw and cow exports through real clients (libnbd's tools and nbdmux's own client).</summary>
public sealed class ExportModeTests
{
    [Theory]
    [InlineData("ro", true, true)]
    [InlineData("rw", false, true)]
    [InlineData("cow", false, false)]
    public async Task Each_mode_advertises_its_write_and_multi_connection_flags(string mode, bool readOnly, bool multiConnection)
    {
        Prerequisites.Require("nbdinfo", "libnbd-bin");
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("flags.img", seed: 1);
        server.Publish("flags", (await ExportRecord.OfAsync(server.ImagesRoot, "flags.img", mode)).ToString());

        var (exitCode, output) = await ExternalTool.RunAsync("nbdinfo", "--json", server.Uri("flags"));

        Assert.True(exitCode == 0, output + server.Log);
        var export = JsonDocument.Parse(output).RootElement.GetProperty("exports")[0];
        Assert.Equal(image.SizeBytes, export.GetProperty("export-size").GetInt64());
        Assert.Equal(readOnly, export.GetProperty("is_read_only").GetBoolean());
        Assert.Equal(multiConnection, export.GetProperty("can_multi_conn").GetBoolean());
    }

    [Fact]
    public async Task A_ro_export_reads_back_byte_exact_through_nbdcopy()
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("sub/ro.img", seed: 2, sectors: 8193);
        server.Publish("ro", (await ExportRecord.OfAsync(server.ImagesRoot, "sub/ro.img")).ToString());
        var copy = Path.Combine(server.BaseDir, "ro.copy");

        var (exitCode, output) = await ExternalTool.RunAsync("nbdcopy", server.Uri("ro"), copy);

        Assert.True(exitCode == 0, output + server.Log);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(image.Path)), SHA256.HashData(File.ReadAllBytes(copy)));
    }

    [Fact]
    public async Task A_rw_export_written_by_nbdcopy_changes_the_image()
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("rw.img", seed: 3);
        var source = TestImage.Create(server.BaseDir, "source.img", seed: 103);
        server.Publish("rw", (await ExportRecord.OfAsync(server.ImagesRoot, "rw.img", "rw")).ToString());

        var (exitCode, output) = await ExternalTool.RunAsync("nbdcopy", source.Path, server.Uri("rw"));

        Assert.True(exitCode == 0, output + server.Log);
        Assert.Equal(File.ReadAllBytes(source.Path), File.ReadAllBytes(image.Path));
    }

    [Fact]
    public async Task A_ro_export_refuses_writes_and_the_image_stays_as_it_was()
    {
        Prerequisites.Require("nbdcopy", "libnbd-bin");
        await using var server = await NbdkitPluginServer.StartAsync();
        var image = server.CreateImage("ro.img", seed: 4);
        var before = File.ReadAllBytes(image.Path);
        server.Publish("ro", (await ExportRecord.OfAsync(server.ImagesRoot, "ro.img", "ro")).ToString());

        await using (var connection = await server.ConnectAsync("ro", TestTimeout.Token))
        {
            Assert.True(connection.IsReadOnly);
            await Assert.ThrowsAsync<IOException>(() => connection.WriteAsync(0, new byte[512], TestTimeout.Token));
        }

        var source = TestImage.Create(server.BaseDir, "source.img", seed: 104);
        var (exitCode, _) = await ExternalTool.RunAsync("nbdcopy", source.Path, server.Uri("ro"));
        Assert.NotEqual(0, exitCode);
        Assert.Equal(before, File.ReadAllBytes(image.Path));
    }

    [Fact]
    public async Task A_cow_connection_sees_its_own_writes_another_does_not_and_nothing_is_left()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        // An odd size: the last copy-on-write block is shorter than the others.
        var image = server.CreateImage("cow.img", seed: 5, sectors: 2049);
        var before = File.ReadAllBytes(image.Path);
        server.Publish("cow", (await ExportRecord.OfAsync(server.ImagesRoot, "cow.img", "cow")).ToString());
        var writes = new (long Offset, int Length)[]
        {
            (1000, 100),                     // inside one block: the rest of it comes from the image
            (64 * 1024 - 300, 600),          // across a block boundary
            (128 * 1024, 64 * 1024),         // exactly one block
            (image.SizeBytes - 700, 700),    // the end of the short last block
        };

        await using (var writer = await server.ConnectAsync("cow", TestTimeout.Token))
        await using (var other = await server.ConnectAsync("cow", TestTimeout.Token))
        {
            var expected = (byte[])before.Clone();
            foreach (var (offset, length) in writes)
            {
                var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + offset)).ToArray();
                await writer.WriteAsync(offset, data, TestTimeout.Token);
                data.CopyTo(expected, offset);
            }

            Assert.False(writer.IsReadOnly);
            Assert.Equal(expected, await writer.ReadAsync(0, (int)image.SizeBytes, TestTimeout.Token));
            Assert.Equal(before, await other.ReadAsync(0, (int)image.SizeBytes, TestTimeout.Token));
            Assert.Equal(2, server.OpenOverlays().Length);
            Assert.Empty(Directory.GetFileSystemEntries(server.CowDir));
        }

        await Eventually.TrueAsync(() => server.OpenOverlays().Length == 0, what: "the overlays were not closed after disconnect");
        Assert.Empty(Directory.GetFileSystemEntries(server.CowDir));
        Assert.Equal(before, File.ReadAllBytes(image.Path));
    }
}
