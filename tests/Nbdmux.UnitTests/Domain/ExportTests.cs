using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Domain;

public class ExportTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Tuesday = Monday.AddDays(1);
    private static readonly FileIdentity FileA = new(2049, 11);
    private static readonly FileIdentity FileB = new(2049, 12);

    [Fact]
    public void Register_records_the_image_and_mode()
    {
        var export = Export.Register("node1", new ImageFile("/images/a.img", 4096, FileA), ExportAccess.ReadOnlyForEveryone, Monday);

        Assert.Equal(("node1", "/images/a.img", 4096L, true), (export.Name, export.FilePath, export.SizeBytes, export.ReadOnly));
        Assert.Equal(Monday, export.CreatedAt);
        Assert.Equal(Monday, export.UpdatedAt);
    }

    [Fact]
    public void Register_refuses_an_invalid_name() =>
        Assert.Throws<ArgumentException>(() => Export.Register("bad name", new ImageFile("/a.img", 1, FileA), ExportAccess.ReadOnlyForEveryone, Monday));

    [Fact]
    public void Replace_changes_file_and_mode_but_keeps_creation_time()
    {
        var export = Export.Register("node1", new ImageFile("/images/a.img", 4096, FileA), ExportAccess.ReadOnlyForEveryone, Monday);

        export.Replace(new ImageFile("/images/b.img", 8192, FileB), new ExportAccess(readOnly: false), Tuesday);

        Assert.Equal(("/images/b.img", FileB, 8192L, false), (export.FilePath, export.FileIdentity, export.SizeBytes, export.ReadOnly));
        Assert.Equal(Monday, export.CreatedAt);
        Assert.Equal(Tuesday, export.UpdatedAt);
    }

    [Theory]
    [InlineData("/images/a.img", 11, 4096, true, true)]
    [InlineData("/images/b.img", 11, 4096, true, false)]
    [InlineData("/images/a.img", 12, 4096, true, false)]
    [InlineData("/images/a.img", 11, 8192, true, false)]
    [InlineData("/images/a.img", 11, 4096, false, false)]
    public void An_export_is_served_as_a_file_only_with_the_same_path_identity_size_and_mode(string path, ulong inode, long size, bool readOnly, bool expected)
    {
        var export = Export.Register("node1", new ImageFile("/images/a.img", 4096, FileA), ExportAccess.ReadOnlyForEveryone, Monday);

        Assert.Equal(expected, export.IsServedAs(new ImageFile(path, size, new FileIdentity(2049, inode)), new ExportAccess(readOnly)));
    }

    [Fact]
    public void Access_compares_mode_copy_on_write_and_allow_list()
    {
        Assert.Equal(new ExportAccess(false, true, ["10.0.0.0/8"]), new ExportAccess(false, true, ["10.0.0.0/8"]));
        Assert.NotEqual(new ExportAccess(false, true, ["10.0.0.0/8"]), new ExportAccess(false, true, ["10.0.0.0/16"]));
        Assert.NotEqual(new ExportAccess(false), new ExportAccess(false, true));
        Assert.NotEqual(new ExportAccess(true), new ExportAccess(true, allow: ["::1"]));
    }

    [Fact]
    public void A_copy_on_write_export_cannot_be_read_only() =>
        Assert.Throws<ArgumentException>(() => new ExportAccess(readOnly: true, copyOnWrite: true));

    [Fact]
    public void An_image_file_needs_an_absolute_path() =>
        Assert.Throws<ArgumentException>(() => new ImageFile("relative/a.img", 1, FileA));
}
