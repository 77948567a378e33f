using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Files;

namespace Nbdmux.UnitTests.Infrastructure.Files;

/// <summary>Registration and finding the registered file again, on real files.</summary>
public sealed class ImageFilesTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly ImageFiles _files;

    public ImageFilesTests() => _files = new ImageFiles(new ImageRoots(new NbdmuxOptions { ImagesDir = [_tree.Root] }));

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void A_convenience_symlink_inside_the_root_registers_the_file_it_names_with_its_identity()
    {
        var image = _tree.File("root/images/a.img", size: 8192);
        var alias = _tree.Symlink("root/current.img", image);

        var registered = _files.Inspect(alias).Image!;

        Assert.Equal((image, 8192L, TempTree.IdentityByStat(image)), (registered.Path, registered.SizeBytes, registered.Identity));
    }

    [Fact]
    public void An_image_opened_for_reading_is_read_inside_the_roots_only_whatever_took_its_place()
    {
        var image = _tree.File("root/.staged.img", size: 8192);
        using (var read = _files.OpenForReading(image))
        {
            Assert.Equal(8192, read.Length);
        }

        File.Delete(image);
        File.CreateSymbolicLink(image, _tree.File("outside/secret.img"));

        var refused = Assert.Throws<ImageUnservableException>(() => _files.OpenForReading(image));
        Assert.Contains("resolves to", refused.Message);
    }

    [Theory]
    [InlineData("root/escape.img", "resolves to")]
    [InlineData("root/empty.img", "is empty (0 bytes)")]
    [InlineData("root/missing.img", "does not exist")]
    [InlineData("outside/secret.img", "is outside the image roots")]
    public void Refusals_say_why(string relativePath, string reason)
    {
        _tree.File("outside/secret.img");
        _tree.Symlink("root/escape.img", Path.Combine(_tree.Outside, "secret.img"));
        _tree.File("root/empty.img", size: 0);

        var inspection = _files.Inspect(Path.Combine(_tree.Scratch, relativePath));

        Assert.Null(inspection.Image);
        Assert.Contains(reason, inspection.Problem);
    }

    public static TheoryData<string, string> ChangesAfterRegistration => new()
    {
        { "replaced by another file", "is no longer the registered file" },
        { "replaced by a symlink to a file outside", "a symlink is now on the path" },
        { "a directory on its path swapped for a symlink", "a symlink is now on the path" },
        { "renamed away", "is gone" },
        { "a directory on its path swapped for a file", "a directory on the path" },
    };

    [Theory]
    [MemberData(nameof(ChangesAfterRegistration))]
    public void The_registered_file_is_found_again_only_while_its_path_names_it(string change, string reason)
    {
        var image = _tree.File("root/dir/a.img");
        var export = Registered(image);
        Assert.Null(_files.ChangeSinceRegistration(export));
        using (var found = _files.OpenRegistered(export))
        {
            Assert.Equal(export.FileIdentity, found.Identity);
        }

        Change(change, image);

        Assert.Contains(reason, _files.ChangeSinceRegistration(export));
        Assert.Contains(reason, Assert.Throws<ImageUnservableException>(() => _files.OpenRegistered(export)).Message);
    }

    [Fact]
    public void An_export_from_before_identities_were_recorded_is_not_served_until_registered_again()
    {
        var export = Registered(_tree.File("root/a.img")) with { FileIdentity = null };

        Assert.Contains("register it again", Assert.Throws<ImageUnservableException>(() => _files.OpenRegistered(export)).Message);
    }

    private ServedExport Registered(string path) =>
        new("node1", path, _files.Inspect(path).Image!.Identity, ExportAccess.ReadOnlyForEveryone);

    private void Change(string change, string image)
    {
        var directory = Path.GetDirectoryName(image)!;
        switch (change)
        {
            case "replaced by another file":
                File.Move(_tree.File("root/new.img"), image, overwrite: true);
                break;
            case "replaced by a symlink to a file outside":
                File.Delete(image);
                File.CreateSymbolicLink(image, _tree.File("outside/secret.img"));
                break;
            case "a directory on its path swapped for a symlink":
                Directory.Move(directory, directory + ".old");
                _tree.File("outside/a.img");
                Directory.CreateSymbolicLink(directory, _tree.Outside);
                break;
            case "renamed away":
                File.Move(image, image + ".old");
                break;
            case "a directory on its path swapped for a file":
                Directory.Move(directory, directory + ".old");
                _tree.File("root/dir");
                break;
        }
    }
}
