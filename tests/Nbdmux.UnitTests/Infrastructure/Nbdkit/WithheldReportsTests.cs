using Nbdmux.Infrastructure.Nbdkit;

namespace Nbdmux.UnitTests.Infrastructure.Nbdkit;

public sealed class WithheldReportsTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("nbdkit-withheld-");
    private readonly NbdkitLayout _layout;
    private readonly WithheldReports _reports;

    public WithheldReportsTests()
    {
        _layout = new NbdkitLayout(_temp.FullName);
        _layout.Create();
        _reports = new WithheldReports(_layout);
    }

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void Reports_are_read_once_then_deleted()
    {
        Report("a", "the file at /srv/images/a.img is no longer the registered file (it was replaced)\n");

        Assert.Equal(
            new Dictionary<string, string> { ["a"] = "the file at /srv/images/a.img is no longer the registered file (it was replaced)" },
            _reports.Collect());
        Assert.Empty(_reports.Collect());
    }

    [Fact]
    public void Reports_still_being_written_are_left_for_the_next_tick()
    {
        Report(".a.4711.1", "half");

        Assert.Empty(_reports.Collect());
        Assert.True(File.Exists(Path.Combine(_layout.WithheldDirectory, ".a.4711.1")));
    }

    [Fact]
    public void Files_that_name_no_export_are_deleted_unreported()
    {
        Report("not an export name", "x");

        Assert.Empty(_reports.Collect());
        Assert.Empty(Directory.GetFiles(_layout.WithheldDirectory));
    }

    [Fact]
    public void A_reason_is_one_printable_line_of_bounded_length()
    {
        Report("a", "forged\u001b[2J\rline\nsecond line\n");
        Report("b", new string('x', 5000));
        Report("c", "\n");

        var reasons = _reports.Collect();

        Assert.Equal("forged?[2J?line", reasons["a"]);
        Assert.Equal(512, reasons["b"].Length);
        Assert.Equal("refused by the nbdkit plugin (no reason given)", reasons["c"]);
    }

    private void Report(string name, string text) => File.WriteAllText(Path.Combine(_layout.WithheldDirectory, name), text);
}
