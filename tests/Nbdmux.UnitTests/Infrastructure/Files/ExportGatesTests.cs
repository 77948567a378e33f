using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;
using Nbdmux.Infrastructure.Linux;
using Nbdmux.Infrastructure.NbdServer;

namespace Nbdmux.UnitTests.Infrastructure.Files;

/// <summary>The links nbd-server opens, made from the verified file (data dir and image root on one filesystem here).</summary>
public sealed class ExportGatesTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly ImageFiles _files;
    private readonly NbdServerLayout _layout;
    private readonly ExportGates _gates;

    public ExportGatesTests()
    {
        var options = new NbdmuxOptions { DataDir = Path.Combine(_tree.Scratch, "data"), ImagesDir = [_tree.Root] };
        _files = new ImageFiles(new ImageRoots(options));
        _layout = new NbdServerLayout(options);
        _layout.Create();
        _gates = new ExportGates(_layout, _files);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void The_link_is_the_registered_file_and_opening_again_unchanged_leaves_no_staging_name()
    {
        var export = Registered(_tree.File("root/a.img"));

        _gates.Open(export);
        _gates.Open(export);
        _gates.Open(export);

        Assert.Equal(export.FileIdentity, FileStat.OfLink(_layout.LinkPath("node1")).Identity);
        Assert.Equal(["node1"], Directory.EnumerateFiles(_layout.LinksDirectory).Select(Path.GetFileName));
        Assert.Equal(["node1"], Directory.EnumerateFiles(_layout.AuthDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_file_replaced_after_registration_is_refused_and_the_gate_stays_as_it_was()
    {
        var image = _tree.File("root/a.img");
        var export = Registered(image);
        _gates.Open(export);
        var authBefore = File.ReadAllText(_layout.AuthFilePath("node1"));

        File.Delete(image);
        File.CreateSymbolicLink(image, _tree.File("outside/secret.img"));

        Assert.Throws<ImageUnservableException>(() => _gates.Open(export with { Access = new ExportAccess(true, allow: ["10.0.0.0/8"]) }));
        Assert.Equal(export.FileIdentity, FileStat.OfLink(_layout.LinkPath("node1")).Identity);
        Assert.Equal(authBefore, File.ReadAllText(_layout.AuthFilePath("node1")));
        Assert.Equal(["node1"], Directory.EnumerateFiles(_layout.LinksDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void Staging_names_a_crash_left_are_deleted_with_removed_exports()
    {
        File.WriteAllText(Path.Combine(_layout.LinksDirectory, ".node1.7.tmp"), "");
        File.WriteAllText(Path.Combine(_layout.AuthDirectory, ".node1.7.tmp"), "");
        _gates.Open(Registered(_tree.File("root/a.img")));

        _gates.DeleteAllExcept(new HashSet<string> { "node1" });

        Assert.Equal(["node1"], Directory.EnumerateFiles(_layout.LinksDirectory).Select(Path.GetFileName));
        Assert.Equal(["node1"], Directory.EnumerateFiles(_layout.AuthDirectory).Select(Path.GetFileName));
    }

    private ServedExport Registered(string path) =>
        new("node1", path, _files.Inspect(path).Image!.Identity, ExportAccess.ReadOnlyForEveryone);
}
