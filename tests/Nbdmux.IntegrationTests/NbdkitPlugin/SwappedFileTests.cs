using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>
/// A record pins the root and the file by device and inode; whatever is done to the file system
/// after it was written, only that very file, reached without a symlink, is served.
/// </summary>
public sealed class SwappedFileTests
{
    /// <summary>Each swap acts on images/sub/a.img after its record was published; outside.img lies beside images/.</summary>
    private static readonly Dictionary<string, (Func<Layout, Task> Swap, string Reason)> Swaps = new()
    {
        ["replaced by another file"] = (l =>
        {
            var replacement = TestImage.Create(l.Root, "replacement.img", seed: 141);
            File.Move(replacement.Path, l.Image, overwrite: true);
            return Task.CompletedTask;
        }, "the file at {root}/sub/a.img is no longer the registered file (it was replaced)"),
        ["replaced by a symlink to a file outside the root"] = (l =>
        {
            File.Delete(l.Image);
            File.CreateSymbolicLink(l.Image, l.Outside);
            return Task.CompletedTask;
        }, "the file at {root}/sub/a.img has a symlink on the way"),
        ["a directory on its path swapped for a symlink to it"] = (l =>
        {
            // Relative, so the link stays below the root and leads to the very registered file.
            Directory.Move(Path.Combine(l.Root, "sub"), Path.Combine(l.Root, "sub-moved"));
            Directory.CreateSymbolicLink(Path.Combine(l.Root, "sub"), "sub-moved");
            return Task.CompletedTask;
        }, "the file at {root}/sub/a.img has a symlink on the way"),
        ["the root replaced by a copy holding the same file"] = (l =>
        {
            Directory.Move(l.Root, l.Root + "-old");
            Directory.CreateDirectory(Path.Combine(l.Root, "sub"));
            using (var original = File.OpenHandle(Path.Combine(l.Root + "-old", "sub", "a.img")))
            {
                Assert.Equal(0, DescriptorLink.TryCreate(original, l.Image));
            }

            return Task.CompletedTask;
        }, "the image root {root} is no longer the registered directory (it was replaced)"),
        ["the root replaced by a symlink to it"] = (l =>
        {
            Directory.Move(l.Root, l.Root + "-old");
            Directory.CreateSymbolicLink(l.Root, l.Root + "-old");
            return Task.CompletedTask;
        }, "the image root {root} is not a directory any more (a symlink or a file took its place)"),
        ["the file removed"] = (l =>
        {
            File.Delete(l.Image);
            return Task.CompletedTask;
        }, "the file at {root}/sub/a.img is missing"),
        ["a FIFO in the file's place"] = (async l =>
        {
            File.Delete(l.Image);
            var (exitCode, output) = await ExternalTool.RunAsync("mkfifo", l.Image);
            Assert.True(exitCode == 0, output);
        }, "the file at {root}/sub/a.img is not a regular file any more"),
        ["a directory in the file's place"] = (l =>
        {
            File.Delete(l.Image);
            Directory.CreateDirectory(l.Image);
            return Task.CompletedTask;
        }, "the file at {root}/sub/a.img is not a regular file any more"),
    };

    public static TheoryData<string> SwapCases => [.. Swaps.Keys];

    [Theory]
    [MemberData(nameof(SwapCases))]
    public async Task A_file_swapped_after_its_record_was_written_is_refused_and_withheld(string swap)
    {
        await using var server = await NbdkitPluginServer.StartAsync();
        var layout = new Layout(server.ImagesRoot, server.CreateImage("sub/a.img", seed: 41).Path,
            TestImage.Create(server.BaseDir, "outside.img", seed: 42).Path);
        server.Publish("swapped", (await ExportRecord.OfAsync(server.ImagesRoot, "sub/a.img")).ToString());
        await (await server.ConnectAsync("swapped", TestTimeout.Token)).DisposeAsync();
        var (act, reason) = Swaps[swap];

        await act(layout);

        await server.AssertRefusedLikeAnUnknownNameAsync("swapped");
        Assert.Equal(reason.Replace("{root}", server.ImagesRoot) + "\n", server.Withheld("swapped"));
        await server.AssertLoggedAsync(reason.Replace("{root}", server.ImagesRoot));
    }

    private sealed record Layout(string Root, string Image, string Outside);
}
