using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.UnitTests.Infrastructure;

public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("nbdmux-datadir-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("data", "", "is inside images dir")]
    [InlineData("data", "data/images", "is inside data dir")]
    [InlineData("data", "data", "is also an images dir")]
    [InlineData("data", "alias/images", "is inside data dir")] // alias is a symlink to data: compared on canonical paths
    public void Overlapping_data_and_image_dirs_are_refused_naming_both(string dataDir, string imagesDir, string overlap)
    {
        Directory.CreateDirectory(Path.Combine(_scratch, "data", "images"));
        Directory.CreateSymbolicLink(Path.Combine(_scratch, "alias"), Path.Combine(_scratch, "data"));
        var options = new NbdmuxOptions { DataDir = Path.Combine(_scratch, dataDir), ImagesDir = [Path.Combine(_scratch, imagesDir)] };

        var refusal = Assert.Throws<StartupException>(() => DataDirectory.Prepare(options)).Message;

        Assert.Contains(overlap, refusal);
        Assert.Contains(Path.Combine(_scratch, "data"), refusal);
        Assert.DoesNotContain("\n", refusal);
    }

    [Fact]
    public void Separate_data_and_image_dirs_are_accepted()
    {
        var options = new NbdmuxOptions { DataDir = Path.Combine(_scratch, "data"), ImagesDir = [Directory.CreateDirectory(Path.Combine(_scratch, "images")).FullName] };

        DataDirectory.Prepare(options);
    }
}
