using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.Nbdkit;

namespace Nbdmux.UnitTests.Infrastructure.Nbdkit;

public sealed class ConnectionFilesTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("nbdkit-connections-");
    private readonly NbdkitLayout _layout;
    private readonly ConnectionFiles _files;

    public ConnectionFilesTests()
    {
        _layout = new NbdkitLayout(_temp.FullName);
        _layout.Create();
        _files = new ConnectionFiles(_layout);
    }

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void A_connection_file_gives_export_peer_and_since()
    {
        Assert.Equal(
            new ClientConnection("4711-3", "debian12", "10.0.0.7:51234", DateTimeOffset.FromUnixTimeMilliseconds(1764643200123)),
            ConnectionFiles.Parse("4711-3", "export=debian12\npeer=10.0.0.7:51234\nsince=1764643200123\n"));
    }

    [Fact]
    public void An_ipv6_peer_is_shown_bracketed()
    {
        Assert.Equal("[fd00::7]:51234", ConnectionFiles.Parse("1-1", "export=a\npeer=[fd00::7]:51234\nsince=0\n")!.Peer);
    }

    [Fact]
    public void A_peer_that_is_no_address_still_counts_and_is_shown_printable()
    {
        Assert.Equal("local?[31m", ConnectionFiles.Parse("1-1", "export=a\npeer=local\u001b[31m\nsince=0\n")!.Peer);
    }

    [Theory]
    [InlineData("export=a\npeer=10.0.0.7:1\n")]                           // no since
    [InlineData("export=../a\npeer=10.0.0.7:1\nsince=0\n")]               // not an export name
    [InlineData("export=a\nexport=b\npeer=10.0.0.7:1\nsince=0\n")]        // twice
    [InlineData("export=a\npeer=10.0.0.7:1\nsince=-5\n")]
    [InlineData("export=a\npeer=10.0.0.7:1\nsince=99999999999999999999\n")]
    [InlineData("garbage")]
    public void Anything_else_is_not_a_connection(string text)
    {
        Assert.Null(ConnectionFiles.Parse("1-1", text));
    }

    [Theory]
    [InlineData("4711-3", true)]
    [InlineData("4711", false)]
    [InlineData("-3", false)]
    [InlineData("1-2-3", false)]
    [InlineData("../1-2", false)]
    [InlineData("1-2\n", false)]
    public void Ids_are_pid_dash_counter(string id, bool valid)
    {
        Assert.Equal(valid, ConnectionFiles.IsId(id));
    }

    [Fact]
    public void Only_the_running_servers_connections_are_listed_and_an_unchanged_listing_returns_the_same_list()
    {
        Connect("100-1", "a");
        Connect("99-1", "b");            // left by a server that died
        Connect(".100-2.100.1", "c");     // still being written

        var first = _files.Read(100);

        Assert.Equal(["a"], first.Select(connection => connection.Export));
        Assert.Same(first, _files.Read(100));

        Connect("100-2", "c");
        var second = _files.Read(100);
        Assert.NotSame(first, second);
        Assert.Equal(["a", "c"], second.Select(connection => connection.Export));

        File.Delete(Path.Combine(_layout.ConnectionsDirectory, "100-1"));
        Assert.Equal(["c"], _files.Read(100).Select(connection => connection.Export));
        Assert.Empty(_files.Read(null));
    }

    private void Connect(string id, string export) =>
        File.WriteAllText(Path.Combine(_layout.ConnectionsDirectory, id), $"export={export}\npeer=127.0.0.1:4000\nsince=1\n");
}
