using System.Text.Json;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>allow= lines against the client's address, for IPv4, IPv6 and v4-mapped IPv6 peers.</summary>
public sealed class AllowListTests
{
    [Theory]
    [InlineData(NbdkitListener.Ipv4Loopback, "everyone", true)]
    [InlineData(NbdkitListener.Ipv4Loopback, "127.0.0.1/32", true)]
    [InlineData(NbdkitListener.Ipv4Loopback, "127.0.0.0/8", true)]
    [InlineData(NbdkitListener.Ipv4Loopback, "0.0.0.0/0", true)]
    [InlineData(NbdkitListener.Ipv4Loopback, "10.0.0.0/8 127.0.0.0/24", true)]
    [InlineData(NbdkitListener.Ipv4Loopback, "127.0.0.2/32", false)]
    [InlineData(NbdkitListener.Ipv4Loopback, "10.0.0.0/8", false)]
    [InlineData(NbdkitListener.Ipv4Loopback, "::1/128 ::/0", false)]
    [InlineData(NbdkitListener.Ipv6Loopback, "::1/128", true)]
    [InlineData(NbdkitListener.Ipv6Loopback, "::/0", true)]
    [InlineData(NbdkitListener.Ipv6Loopback, "fd00::/8 ::/127", true)]
    [InlineData(NbdkitListener.Ipv6Loopback, "::2/128", false)]
    [InlineData(NbdkitListener.Ipv6Loopback, "fd00::/8", false)]
    [InlineData(NbdkitListener.Ipv6Loopback, "127.0.0.1/32 0.0.0.0/0", false)]
    [InlineData(NbdkitListener.DualStackSocketActivated, "127.0.0.1/32", true)]
    [InlineData(NbdkitListener.DualStackSocketActivated, "127.0.0.0/8", true)]
    [InlineData(NbdkitListener.DualStackSocketActivated, "10.0.0.0/8", false)]
    [InlineData(NbdkitListener.DualStackSocketActivated, "::ffff:127.0.0.1/128 ::/0", false)]
    public async Task A_peer_is_admitted_exactly_when_a_line_covers_its_address(NbdkitListener listener, string allow, bool admitted)
    {
        await using var server = await NbdkitPluginServer.StartAsync(listener);
        var image = server.CreateImage("allow.img", seed: 21);
        server.Publish("allow", (await ExportRecord.OfAsync(server.ImagesRoot, "allow.img", "ro", allow.Split(' '))).ToString());

        if (admitted)
        {
            await using var connection = await server.ConnectAsync("allow", TestTimeout.Token);
            Assert.True(TestImage.IsSectorOf(image.Seed, 1, await connection.ReadAsync(512, 512, TestTimeout.Token)));
        }
        else
        {
            await server.AssertRefusedLikeAnUnknownNameAsync("allow");
            Assert.Empty(Directory.GetFiles(server.ConnectionsDir));
            Assert.Null(server.Withheld("allow"));
        }
    }

    [Fact]
    public async Task Nbdinfo_list_shows_only_the_valid_exports_that_admit_the_client()
    {
        Prerequisites.Require("nbdinfo", "libnbd-bin");
        await using var server = await NbdkitPluginServer.StartAsync();
        server.CreateImage("list.img", seed: 22);
        var admitting = await ExportRecord.OfAsync(server.ImagesRoot, "list.img", "ro", "127.0.0.0/8");
        server.Publish("for-everyone", (admitting with { Allow = ["everyone"] }).ToString());
        server.Publish("for-loopback", admitting.ToString());
        server.Publish("for-others", (admitting with { Allow = ["10.0.0.0/8"] }).ToString());
        server.Publish("invalid", admitting.ToString().Replace("mode=ro", "mode=fast"));
        server.Publish(".hidden", admitting.ToString());
        server.Publish("bad name", admitting.ToString());

        var (exitCode, output) = await ExternalTool.RunAsync("nbdinfo", "--list", "--json", server.Uri(""));

        Assert.True(exitCode == 0, output + server.Log);
        var names = JsonDocument.Parse(output).RootElement.GetProperty("exports").EnumerateArray()
            .Select(export => export.GetProperty("export-name").GetString()!).Order().ToArray();
        Assert.Equal(["for-everyone", "for-loopback"], names);
    }
}
