using System.Diagnostics;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.UnitTests.Infrastructure.Files;

/// <summary>The opener on real files, through openat2 and through the component walk used where the kernel lacks it.</summary>
public sealed class BeneathOpenerTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    public static TheoryData<bool> Walks => new() { false, true };

    [Theory]
    [MemberData(nameof(Walks))]
    public void A_regular_file_beneath_the_root_opens_as_the_file_stat_reports(bool componentByComponent)
    {
        var path = _tree.File("root/sub/a.img", size: 4096);
        using var root = BeneathOpener.OpenCanonical(_tree.Root);

        using var file = BeneathOpener.Open(root.Handle, "sub/a.img", componentByComponent);

        Assert.Equal((FileType.Regular, 4096L), (file.Stat.Type, file.Stat.Size));
        Assert.Equal(TempTree.IdentityByStat(path), file.Stat.Identity);
    }

    public static TheoryData<string, int, bool> Refusals()
    {
        var cases = new TheoryData<string, int, bool>();
        foreach (var walk in new[] { false, true })
        {
            cases.Add("link.img", Errno.TooManySymlinks, walk); // a symlink as the last component, even to a file inside
            cases.Add("linkdir/a.img", Errno.TooManySymlinks, walk); // a symlinked directory in the middle
            cases.Add("escape.img", Errno.TooManySymlinks, walk); // a symlink to a file outside the root
            cases.Add("escapedir/secret.img", Errno.TooManySymlinks, walk); // a symlinked directory leading outside
            cases.Add("../outside/secret.img", Errno.CrossDevice, walk);
            cases.Add("sub/../sub/a.img", Errno.CrossDevice, walk); // `..` is refused even where it would stay inside
            cases.Add("missing.img", Errno.NoEntry, walk);
            cases.Add("sub/a.img/x", Errno.NotDirectory, walk);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Symlinks_dot_dot_and_missing_paths_are_refused_with_their_errno(string relativePath, int errno, bool componentByComponent)
    {
        _tree.File("root/sub/a.img");
        _tree.File("outside/secret.img", fill: 0x5e);
        _tree.Symlink("root/link.img", Path.Combine(_tree.Root, "sub/a.img"));
        _tree.Symlink("root/linkdir", Path.Combine(_tree.Root, "sub"));
        _tree.Symlink("root/escape.img", Path.Combine(_tree.Outside, "secret.img"));
        _tree.Symlink("root/escapedir", _tree.Outside);
        using var root = BeneathOpener.OpenCanonical(_tree.Root);

        var refusal = Assert.Throws<FileSystemCallException>(() => BeneathOpener.Open(root.Handle, relativePath, componentByComponent));

        Assert.Equal(errno, refusal.Errno);
    }

    [Theory]
    [MemberData(nameof(Walks))]
    public void A_fifo_a_directory_and_an_empty_file_open_without_blocking_and_say_what_they_are(bool componentByComponent)
    {
        Process.Start("mkfifo", Path.Combine(_tree.Root, "fifo")).WaitForExit();
        Directory.CreateDirectory(Path.Combine(_tree.Root, "dir"));
        _tree.File("root/empty.img", size: 0);
        using var root = BeneathOpener.OpenCanonical(_tree.Root);

        using var fifo = BeneathOpener.Open(root.Handle, "fifo", componentByComponent);
        using var directory = BeneathOpener.Open(root.Handle, "dir", componentByComponent);
        using var empty = BeneathOpener.Open(root.Handle, "empty.img", componentByComponent);

        Assert.Equal(FileType.Other, fifo.Stat.Type);
        Assert.Equal(FileType.Directory, directory.Stat.Type);
        Assert.Equal((FileType.Regular, 0L), (empty.Stat.Type, empty.Stat.Size));
    }

    [Fact]
    public void The_identity_follows_the_file_not_the_path()
    {
        var path = _tree.File("root/a.img");
        Process.Start("ln", [path, Path.Combine(_tree.Root, "same.img")]).WaitForExit();
        using var root = BeneathOpener.OpenCanonical(_tree.Root);
        using var original = BeneathOpener.Open(root.Handle, "a.img");
        using var sameFile = BeneathOpener.Open(root.Handle, "same.img");

        File.Move(_tree.File("root/new.img"), path, overwrite: true);
        using var replaced = BeneathOpener.Open(root.Handle, "a.img");

        Assert.Equal(original.Stat.Identity, sameFile.Stat.Identity);
        Assert.NotEqual(original.Stat.Identity, replaced.Stat.Identity);
    }

    [Fact]
    public void A_canonical_root_reached_through_a_symlink_is_refused()
    {
        var alias = _tree.Symlink("alias", _tree.Root);

        Assert.Equal(Errno.TooManySymlinks, Assert.Throws<FileSystemCallException>(() => BeneathOpener.OpenCanonical(alias)).Errno);
    }

    [Fact]
    public void A_link_made_from_the_handle_names_the_opened_file_even_after_its_path_was_replaced()
    {
        var path = _tree.File("root/a.img", fill: 0x11);
        using var root = BeneathOpener.OpenCanonical(_tree.Root);
        using var file = BeneathOpener.Open(root.Handle, "a.img");
        File.Move(path, path + ".old");
        File.CreateSymbolicLink(path, _tree.File("outside/secret.img", fill: 0x5e));
        var link = Path.Combine(_tree.Scratch, "link");

        Assert.Equal(0, DescriptorLink.TryCreate(file.Handle, link));

        Assert.Equal(file.Stat.Identity, FileStat.OfLink(link).Identity);
        Assert.All(File.ReadAllBytes(link), b => Assert.Equal(0x11, b));
        using var reopened = new FileStream(BeneathOpener.Reopen(file.Handle, OpenFlags.ReadOnly), FileAccess.Read);
        Assert.Equal(0x11, reopened.ReadByte());
    }
}
