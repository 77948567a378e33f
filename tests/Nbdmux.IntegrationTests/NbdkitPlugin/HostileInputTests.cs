using Nbdmux.Nbd;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>
/// Malformed records and hostile export names fail closed: the client is refused like an unknown name
/// and the image (for a name, anything at all) is never opened.
/// </summary>
public sealed class HostileInputTests
{
    private const string Name64 = "a23456789b123456789c123456789d123456789e123456789f123456789g1234";

    /// <summary>
    /// Each case turns a valid record of images/sub/a.img, which admits the test client, into a bad
    /// one; where a lenient parser would still find a file, it is one that would be served. In a
    /// reason, {root} is the image root without its leading '/' and {root_ino} its inode.
    /// </summary>
    private static readonly Dictionary<string, (Func<Layout, string> Record, string Reason)> MalformedRecords = new()
    {
        ["unknown key"] = (l => l.Valid + "colour=blue\n", "unknown key 'colour'"),
        ["missing key"] = (l => l.Valid.Replace($"\nino={l.Record.Identity.Inode}", ""), "key 'ino' is missing"),
        ["missing allow"] = (l => l.Valid.Replace("allow=127.0.0.1/32\n", ""), "key 'allow' is missing"),
        ["duplicate key"] = (l => l.Valid + "mode=ro\n", "key 'mode' appears twice"),
        ["hexadecimal number"] = (l => l.Valid.Replace($"\ndev={l.Record.Identity.Device}", "\ndev=0x10"), "dev=0x10 is not valid"),
        ["leading zero"] = (l => l.Valid.Replace("root_ino=", "root_ino=0"), "root_ino=0{root_ino} is not valid"),
        ["negative number"] = (l => l.Valid.Replace($"\nino={l.Record.Identity.Inode}", "\nino=-1"), "ino=-1 is not valid"),
        ["number over 64 bits"] = (l => l.Valid.Replace($"\nino={l.Record.Identity.Inode}", "\nino=18446744073709551616"), "ino=18446744073709551616 is not valid"),
        ["path with .."] = (l => l.Valid.Replace("path=sub/a.img", "path=sub/../sub/a.img"), "path=sub/../sub/a.img is not valid"),
        ["path leaving the root"] = (l => l.Outside, "path=../outside.img is not valid"),
        ["absolute path"] = (l => l.Valid.Replace("path=sub/a.img", $"path={l.Record.Root}/sub/a.img"), "path=/{root}/sub/a.img is not valid"),
        ["empty component"] = (l => l.Valid.Replace("path=sub/a.img", "path=sub//a.img"), "path=sub//a.img is not valid"),
        ["dot component"] = (l => l.Valid.Replace("path=sub/a.img", "path=./sub/a.img"), "path=./sub/a.img is not valid"),
        ["relative root"] = (l => l.Valid.Replace($"root={l.Record.Root}", $"root={l.Record.Root.TrimStart('/')}"), "root={root} is not valid"),
        ["NUL byte"] = (l => l.Valid.Replace("mode=ro\n", "mode=ro\0\n"), "contains a NUL byte"),
        ["over 64 KiB"] = (l => PaddedTo(l.Valid, 64 * 1024 + 1), "longer than 64 KiB"),
        ["version 2"] = (l => l.Valid.Replace("version=1", "version=2"), "version=2 is not valid"),
        ["version not first"] = (l => l.Valid.Replace("version=1\n", "") + "version=1\n", "the first line is not version=1"),
        ["unknown mode"] = (l => l.Valid.Replace("mode=ro", "mode=RW"), "mode=RW is not valid"),
        ["CRLF line ends"] = (l => l.Valid.Replace("\n", "\r\n"), "version=1? is not valid"),
        ["no final newline"] = (l => l.Valid.TrimEnd('\n'), "does not end with a newline"),
        ["line without ="] = (l => l.Valid + "everyone\n", "is not key=value"),
        ["everyone and a CIDR"] = (l => l.Valid + "allow=everyone\n", "allow=everyone is combined with address ranges"),
        ["bare address"] = (l => l.Valid.Replace("allow=127.0.0.1/32", "allow=127.0.0.1"), "allow=127.0.0.1 is not valid"),
        ["scope id"] = (l => l.Valid + "allow=fe80::1%lo/128\n", "allow=fe80::1%lo/128 is not valid"),
        ["host bits set"] = (l => l.Valid.Replace("allow=127.0.0.1/32", "allow=127.0.0.1/8"), "allow=127.0.0.1/8 is not valid"),
        ["non-canonical IPv6"] = (l => l.Valid + "allow=0:0:0:0:0:0:0:1/128\n", "allow=0:0:0:0:0:0:0:1/128 is not valid"),
        ["prefix too long"] = (l => l.Valid.Replace("allow=127.0.0.1/32", "allow=127.0.0.1/33"), "allow=127.0.0.1/33 is not valid"),
    };

    public static TheoryData<string> MalformedRecordCases => [.. MalformedRecords.Keys];

    [Theory]
    [MemberData(nameof(MalformedRecordCases))]
    public async Task A_malformed_record_is_refused_withheld_and_its_image_never_opened(string malformation)
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var layout = await Layout.CreateAsync(server);
        var (record, reasonTemplate) = MalformedRecords[malformation];
        var reason = reasonTemplate.Replace("{root}", layout.Record.Root.TrimStart('/')).Replace("{root_ino}", $"{layout.Record.RootIdentity.Inode}");
        server.Publish("bad", record(layout));
        using var watch = FileAccessWatch.On(layout.ImagePath, Path.GetDirectoryName(layout.ImagePath)!, layout.OutsidePath);

        await server.AssertRefusedLikeAnUnknownNameAsync("bad");

        Assert.Empty(watch.Accesses());
        Assert.Contains(reason, server.Withheld("bad"));
        Assert.EndsWith("\n", server.Withheld("bad"));
        Assert.Single(server.Withheld("bad")!.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await server.AssertLoggedAsync(reason);
    }

    [Fact]
    public async Task A_record_of_exactly_64_KiB_is_served_and_its_image_opened()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var layout = await Layout.CreateAsync(server);
        server.Publish("big", PaddedTo(layout.Valid, 64 * 1024));
        using var watch = FileAccessWatch.On(layout.ImagePath);

        await using var connection = await server.ConnectAsync("big", TestTimeout.Token);

        Assert.Equal(64 * 1024, new FileInfo(Path.Combine(server.ExportsDir, "big")).Length);
        Assert.Contains(layout.ImagePath, watch.Accesses());
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("../exports/good")]
    [InlineData(".good")]
    [InlineData("-good")]
    [InlineData("good ")]
    [InlineData("g\u00f6od")]
    [InlineData("")]
    [InlineData("good\n")]
    [InlineData(Name64 + "5")]
    public async Task A_hostile_export_name_is_refused_without_touching_any_file(string name)
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var layout = await Layout.CreateAsync(server);
        // Whatever file a careless plugin could reach for the name holds a valid record.
        Directory.CreateDirectory(Path.Combine(server.ExportsDir, "a"));
        foreach (var reachable in new[] { "a/b", "good", ".good", "-good", "good ", "g\u00f6od", Name64 + "5" })
        {
            server.Publish(reachable, layout.Valid);
        }

        using var watch = FileAccessWatch.On(server.ExportsDir, Path.Combine(server.ExportsDir, "a"), layout.ImagePath);

        await server.AssertRefusedLikeAnUnknownNameAsync(name);

        Assert.Empty(watch.Accesses());
        Assert.Empty(Directory.GetFiles(server.WithheldDir));
    }

    [Fact]
    public async Task A_name_with_a_NUL_byte_is_refused_by_nbdkit_before_the_plugin_sees_it()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var layout = await Layout.CreateAsync(server);
        server.Publish("good", layout.Valid);
        using var watch = FileAccessWatch.On(server.ExportsDir, layout.ImagePath);

        await Assert.ThrowsAsync<NbdNegotiationException>(() => server.ConnectAsync("good\0", TestTimeout.Token));

        Assert.Empty(watch.Accesses());
    }

    [Fact]
    public async Task A_64_character_name_is_served()
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var layout = await Layout.CreateAsync(server);
        server.Publish(Name64, layout.Valid);

        await using var connection = await server.ConnectAsync(Name64, TestTimeout.Token);

        Assert.Single(server.ConnectionIds());
    }

    /// <summary>The record with more (valid, repeated) allow lines, to exactly size bytes.</summary>
    private static string PaddedTo(string record, int size)
    {
        const string line = "allow=127.0.0.1/32\n", longerLine = "allow=127.0.0.10/32\n";
        var room = size - record.Length;
        return record + string.Concat(Enumerable.Range(0, room / line.Length).Select(i => i < room % line.Length ? longerLine : line));
    }

    /// <summary>images/sub/a.img with a valid record admitting 127.0.0.1, and images/../outside.img.</summary>
    private sealed record Layout(ExportRecord Record, string ImagePath, string OutsidePath, string Outside)
    {
        public string Valid => Record.ToString();

        public static async Task<Layout> CreateAsync(NbdkitPluginServer server)
        {
            var image = server.CreateImage("sub/a.img", seed: 31);
            var outside = TestImage.Create(server.BaseDir, "outside.img", seed: 131);
            var record = await ExportRecord.OfAsync(server.ImagesRoot, "sub/a.img", "ro", "127.0.0.1/32");
            var escaping = record with { Path = "../outside.img", Identity = await FileIdentity.OfAsync(outside.Path) };
            return new Layout(record, image.Path, outside.Path, escaping.ToString());
        }
    }
}
