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

    /// <summary>The options word a problem about the setting; the operator reads it with the flag that gives it.</summary>
    [Theory]
    [InlineData("--nbd-port", "0", "--nbd-port must be a port from 1 to 65535.")]
    [InlineData("--handshake-timeout", "3601", "--handshake-timeout must be from 1 to 3600 seconds.")]
    [InlineData("--max-warms", "65", "--max-warms must be from 1 to 64.")]
    [InlineData("--bind", "localhost", "--bind 'localhost' is not an IP address (e.g. 0.0.0.0, 127.0.0.1 or ::).")]
    [InlineData("--data-dir", "", "--data-dir must not be empty.")]
    [InlineData("--data-dir", "/var/lib/\tnbdmux", "--data-dir must not contain control characters.")]
    [InlineData("--nbd-backend", "qemu-nbd", "--nbd-backend 'qemu-nbd' must be nbdkit or nbd-server.")]
    [InlineData("--withcache-url", "withcache:4041", "--withcache-url 'withcache:4041' must be an absolute http or https URL (e.g. http://withcache:4041).")]
    [InlineData("--warm-source", "https://images.example/lab", "--warm-source 'https://images.example/lab' must be an absolute http or https URL ending in '/'")]
    [InlineData("--port", "99999", "--port must be a port from 1 to 65535.")]
    [InlineData("--admin-password", "", "--admin-password is empty; give a password or leave the setting out to run without one.")]
    [InlineData("--admin-password", " spaced", "--admin-password starts or ends with whitespace, so it could never be sent as 'Authorization: Bearer <password>'; choose another.")]
    [InlineData("--log-format", "xml", "--log-format 'xml' must be text or json.")]
    public void A_bad_setting_is_refused_in_the_words_of_its_flag(string flag, string value, string message)
    {
        string[] args = [flag, value];

        var problem = NbdmuxSettings.Problem(Parse(args)) ?? NbdmuxSettings.Problem(ParseApi(args));

        Assert.StartsWith(message, problem);
    }

    private static NbdmuxOptions Parse(params string[] args) => NbdmuxSettings.Bind(Configuration(args));

    private static ApiOptions ParseApi(params string[] args) => NbdmuxSettings.BindApi(Configuration(args));

    private static ConfigurationManager Configuration(string[] args)
    {
        var configuration = new ConfigurationManager();
        NbdmuxSettings.AddTo(configuration, args);
        return configuration;
    }
}
