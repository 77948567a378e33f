using Microsoft.Extensions.Configuration;
using Nbdmux.Api.Configuration;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api.Tests;

public class NbdmuxSettingsTests
{
    [Fact]
    public void Flags_in_both_spellings_bind_to_the_options_and_images_dir_repeats()
    {
        string[] args = ["--data-dir", "/var/lib/nbdmux", "--port=9000", "--images-dir", "/srv/a", "--images-dir=/srv/b", "--bind", "::"];
        var options = Parse(args);

        Assert.Equal(("/var/lib/nbdmux", 9000, "::"), (options.DataDir, ParseApi(args).Port, options.Bind));
        Assert.Equal(["/srv/a", "/srv/b"], options.ImagesDir);
        Assert.Equal(["/srv/a", "/srv/b"], options.ImageRoots());
    }

    [Fact]
    public void Without_images_dir_the_root_is_images_in_the_working_directory_never_under_the_data_dir() =>
        Assert.Equal([Path.GetFullPath("images")], Parse("--data-dir", "/var/lib/nbdmux").ImageRoots());

    [Theory]
    [InlineData("--dat-dir", "unknown option '--dat-dir'")]
    [InlineData("--port", "option --port needs a value")]
    public void A_mistyped_command_line_is_refused_with_what_is_wrong(string flag, string message) =>
        Assert.Contains(message, Assert.Throws<StartupException>(() => Parse(flag)).Message);

    [Fact]
    public void Host_switches_from_the_test_host_are_passed_through_not_refused()
    {
        string[] args = ["--environment=Development", "--Nbdmux:DataDir=/tmp/x", "--port", "9000"];

        Assert.Equal(["--environment=Development", "--Nbdmux:DataDir=/tmp/x"], NbdmuxSettings.HostArguments(args));
        Assert.Equal(9000, ParseApi(args).Port);
    }

    [Fact]
    public void Environment_variable_names_follow_the_option_names() =>
        Assert.Equal(
            ["NBDMUX_DATA_DIR", "NBDMUX_PORT", "NBDMUX_NBD_PORT", "NBDMUX_BIND", "NBDMUX_NBD_BACKEND", "NBDMUX_NBD_SERVER_BIN", "NBDMUX_HANDSHAKE_TIMEOUT", "NBDMUX_NBDKIT_BIN", "NBDMUX_IMAGES_DIR", "NBDMUX_WITHCACHE_URL", "NBDMUX_WARM_SOURCES", "NBDMUX_MAX_WARMS", "NBDMUX_ADMIN_PASSWORD", "NBDMUX_LOG_FORMAT", "NBDMUX_DATABASE", "NBDMUX_NODE_NAME"],
            NbdmuxSettings.Flags.Select(flag => NbdmuxSettings.EnvironmentVariable(flag.Key)));

    private static NbdmuxOptions Parse(params string[] args) => NbdmuxSettings.Bind(Configuration(args));

    private static ApiOptions ParseApi(params string[] args) => NbdmuxSettings.BindApi(Configuration(args));

    private static ConfigurationManager Configuration(string[] args)
    {
        var configuration = new ConfigurationManager();
        NbdmuxSettings.AddTo(configuration, args);
        return configuration;
    }
}
