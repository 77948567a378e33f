using Nbdmux.Infrastructure.Nbdkit;

namespace Nbdmux.UnitTests.Infrastructure.Nbdkit;

public sealed class NbdkitLogTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("nbdkit-log-");
    private readonly NbdkitLayout _layout;
    private readonly NbdkitLog _log;

    public NbdkitLogTests()
    {
        _layout = new NbdkitLayout(_temp.FullName);
        _log = new NbdkitLog(_layout);
    }

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void Only_complete_new_lines_are_read()
    {
        Assert.Empty(_log.ReadNewLines());
        Append("nbdkit: error: one\nnbdkit: err");

        Assert.Equal(["nbdkit: error: one"], _log.ReadNewLines());

        Append("or: two\n");
        Assert.Equal(["nbdkit: error: two"], _log.ReadNewLines());
        Assert.Empty(_log.ReadNewLines());
    }

    [Fact]
    public void What_an_earlier_nbdmux_read_is_skipped()
    {
        Append("old\n");
        _log.SkipToEnd();
        Append("new\n");

        Assert.Equal(["new"], _log.ReadNewLines());
    }

    [Fact]
    public void The_file_is_emptied_once_large_and_fully_read()
    {
        Append(string.Concat(Enumerable.Repeat(new string('x', 1023) + "\n", 1024)));

        Assert.Equal(1024, _log.ReadNewLines().Count);
        Assert.Equal(0, new FileInfo(_layout.LogPath).Length);

        Append("after\n");
        Assert.Equal(["after"], _log.ReadNewLines());
    }

    private void Append(string text) => File.AppendAllText(_layout.LogPath, text);
}
