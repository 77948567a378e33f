namespace Nbdmux.DeployTests;

public sealed class ContainerfileTests
{
    private readonly Containerfile _image = new();

    [Fact]
    public void Exposes_the_default_http_and_nbd_ports()
    {
        Assert.Equal(new HashSet<int> { Settings.ApiDefaults.Port, Settings.Defaults.NbdPort }, _image.ExposedPorts);
    }

    [Fact]
    public void The_volume_is_the_data_dir_the_image_configures()
    {
        Assert.Equal($"[\"{_image.Environment["NBDMUX_DATA_DIR"]}\"]", Assert.Single(_image.Final("VOLUME")));
    }

    [Fact]
    public void Every_nbdmux_variable_it_sets_is_a_setting()
    {
        Assert.All(_image.Environment.Keys.Where(name => name.StartsWith("NBDMUX_", StringComparison.Ordinal)),
            name => Assert.Contains(name, Settings.Variables));
    }

    [Fact]
    public void Publishes_the_api_and_runs_it_under_tini_as_a_non_root_user()
    {
        Assert.Contains(_image.All("RUN"), run => run.StartsWith("dotnet publish src/Nbdmux.Api -c Release -o /app", StringComparison.Ordinal));
        Assert.Equal($"[\"/usr/bin/tini\", \"--\", \"dotnet\", \"/app/{Settings.ApiDll}\"]", Assert.Single(_image.Final("ENTRYPOINT")));
        var install = Assert.Single(_image.Final("RUN"), run => run.Contains("apt-get install", StringComparison.Ordinal));
        Assert.All(new[] { " nbd-server ", " tini ", " curl " }, package => Assert.Contains(package, install));
        var user = Assert.Single(_image.Final("USER"));
        Assert.DoesNotMatch(@"^(0|root)(:|$)", user);
    }

    [Fact]
    public void The_build_stage_has_a_c_compiler_for_the_nbd_server_preload_library()
    {
        Assert.Contains(_image.All("RUN"), run =>
            run.Contains("apt-get install", StringComparison.Ordinal) && run.Contains(" gcc ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_health_check_asks_healthz_on_the_configured_bind_address_and_port()
    {
        var healthcheck = Assert.Single(_image.Final("HEALTHCHECK"));
        var copy = Assert.Single(_image.Final("COPY"), copy => copy.Contains("deploy/healthcheck.sh", StringComparison.Ordinal));
        var installedAs = copy.Split(' ').Last();
        Assert.EndsWith($"CMD [\"{installedAs}\"]", healthcheck);

        var script = Repository.ReadAllText("deploy/healthcheck.sh");
        Assert.Contains($"${{NBDMUX_PORT:-{Settings.ApiDefaults.Port}}}/healthz", script);
        Assert.Contains($"${{NBDMUX_BIND:-{Settings.Defaults.Bind}}}", script);
    }
}
