using System.Globalization;
using System.Text.RegularExpressions;

namespace Nbdmux.DeployTests;

/// <summary>deploy/compose.yml, read line by line (its layout is simple and kept so).</summary>
public sealed partial class ComposeTests
{
    private readonly string[] _compose = Repository.ReadAllText("deploy/compose.yml").Split('\n');
    private readonly Containerfile _image = new();

    [Fact]
    public void Publishes_every_exposed_port_on_the_same_host_port()
    {
        var published = _compose.Select(line => PortMapping().Match(line)).Where(m => m.Success)
            .Select(m => (Host: int.Parse(m.Groups["host"].Value, CultureInfo.InvariantCulture), Container: int.Parse(m.Groups["container"].Value, CultureInfo.InvariantCulture)))
            .ToList();

        Assert.Equal(_image.ExposedPorts.Order(), published.Select(p => p.Container).Order());
        Assert.All(published, p => Assert.Equal(p.Container, p.Host));
    }

    [Fact]
    public void Keeps_the_data_dir_on_a_volume_and_mounts_images_read_only()
    {
        var mounts = _compose.Select(line => Mount().Match(line)).Where(m => m.Success).Select(m => m.Groups["mount"].Value).ToList();

        Assert.Contains(mounts, mount => mount.Split(':') is [_, var target] && target == _image.Environment["NBDMUX_DATA_DIR"]);
        Assert.Contains(mounts, mount => mount.Split(':') is [_, "/images", "ro"]);
    }

    [Fact]
    public void Builds_the_containerfile_and_reads_settings_from_a_copy_of_the_example()
    {
        Assert.Contains(_compose, line => line.Trim() == $"dockerfile: {Containerfile.RelativePath}");
        var envFile = _compose.SkipWhile(line => line.Trim() != "env_file:").Skip(1).First().Trim().TrimStart('-').Trim();
        Assert.Equal(EnvVarsExample.RelativePath, $"deploy/{envFile}.example");
    }

    [GeneratedRegex("""^\s*-\s*"(?<host>\d+):(?<container>\d+)"(\s*#.*)?$""")]
    private static partial Regex PortMapping();

    [GeneratedRegex("""^\s*-\s*(?<mount>[\w./-]+:/[\w./-]*(:ro)?)\s*$""")]
    private static partial Regex Mount();
}
