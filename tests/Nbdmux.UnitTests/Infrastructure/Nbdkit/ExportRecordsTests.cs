using System.Diagnostics;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Nbdkit;

namespace Nbdmux.UnitTests.Infrastructure.Nbdkit;

public sealed class ExportRecordsTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("nbdkit-records-");
    private readonly NbdkitLayout _layout;
    private readonly string _images;
    private readonly ExportRecords _records;

    public ExportRecordsTests()
    {
        _layout = new NbdkitLayout(Path.Combine(_temp.FullName, "nbdkit"));
        _layout.Create();
        _images = Directory.CreateDirectory(Path.Combine(_temp.FullName, "images")).FullName;
        _records = new ExportRecords(_layout, new ImageRoots(new NbdmuxOptions { ImagesDir = [_images] }));
    }

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void A_record_names_the_image_beneath_its_root_with_the_identities_stat_reports()
    {
        Directory.CreateDirectory(Path.Combine(_images, "lab"));
        var image = Path.Combine(_images, "lab", "a.img");
        File.WriteAllBytes(image, new byte[4096]);

        _records.Publish(new ServedExport("a", image, new FileIdentity(7, 8), ExportAccess.ReadOnlyForEveryone));

        Assert.Equal(
            $"version=1\nroot={_images}\nroot_dev={Stat("%d", _images)}\nroot_ino={Stat("%i", _images)}\npath=lab/a.img\n" +
            "dev=7\nino=8\nmode=ro\nallow=everyone\n",
            File.ReadAllText(_layout.RecordPath("a")));
    }

    [Fact]
    public void A_record_is_replaced_by_rename_so_a_reader_of_the_old_one_never_sees_a_mix()
    {
        _records.Write("a", "old\n");
        using var reader = File.OpenRead(_layout.RecordPath("a"));

        _records.Write("a", "new\n");

        Assert.Equal("old\n", new StreamReader(reader).ReadToEnd());
        Assert.Equal("new\n", File.ReadAllText(_layout.RecordPath("a")));
        Assert.Equal(["a"], Directory.GetFiles(_layout.ExportsDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void An_image_outside_every_root_is_refused_and_its_older_record_stays()
    {
        _records.Write("a", "old\n");

        var refusal = Assert.Throws<ImageUnservableException>(
            () => _records.Publish(new ServedExport("a", "/etc/passwd", new FileIdentity(7, 8), ExportAccess.ReadOnlyForEveryone)));

        Assert.Equal("the file at /etc/passwd is not inside an image root any more", refusal.Message);
        Assert.Equal("old\n", File.ReadAllText(_layout.RecordPath("a")));
    }

    [Fact]
    public void Put_away_records_serve_again_once_restored_in_the_directory_the_plugin_holds_open()
    {
        var held = Stat("%i", _layout.ExportsDirectory);
        _records.Write("a", "a\n");

        _records.PutAway();
        Assert.Empty(_records.Names());

        _records.RestoreStopped();
        Assert.Equal(["a"], _records.Names());
        Assert.False(Directory.Exists(_layout.StoppedExportsDirectory));
        Assert.Equal(held, Stat("%i", _layout.ExportsDirectory));
    }

    [Fact]
    public void Names_that_could_leave_exports_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => _records.Write("../a", "x\n"));
        Assert.Throws<ArgumentException>(() => _records.Delete(".a"));
    }

    private static string Stat(string format, string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return output;
    }
}
