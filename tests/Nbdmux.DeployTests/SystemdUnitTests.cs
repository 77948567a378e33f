namespace Nbdmux.DeployTests;

public sealed class SystemdUnitTests
{
    private readonly ILookup<string, string> _unit = Repository.ReadAllText("deploy/nbdmux.service").Split('\n')
        .Select(line => line.Trim())
        .Where(line => !line.StartsWith('#') && line.Contains('='))
        .Select(line => line.Split('=', 2))
        .ToLookup(pair => pair[0], pair => pair[1]);

    private string Single(string key) => Assert.Single(_unit[key]);

    [Fact]
    public void Stopping_signals_only_nbdmux_so_connected_clients_keep_their_disks()
    {
        Assert.Equal("process", Single("KillMode"));
    }

    [Fact]
    public void Runs_the_published_api_from_its_working_directory()
    {
        Assert.Equal($"/usr/bin/dotnet {Single("WorkingDirectory")}/{Settings.ApiDll}", Single("ExecStart"));
        Assert.Contains($"dotnet publish src/Nbdmux.Api -c Release -o {Single("WorkingDirectory")}", Repository.ReadAllText("deploy/README.md"));
    }

    [Fact]
    public void The_data_dir_is_the_state_directory_the_only_writable_path()
    {
        Assert.Equal("strict", Single("ProtectSystem"));
        Assert.Contains($"NBDMUX_DATA_DIR=/var/lib/{Single("StateDirectory")}", _unit["Environment"]);
    }

    [Fact]
    public void Sets_only_real_settings_and_reads_the_env_file_the_readme_installs()
    {
        Assert.All(_unit["Environment"].Select(assignment => assignment.Split('=')[0]), name => Assert.Contains(name, Settings.Variables));
        var envFile = Single("EnvironmentFile").TrimStart('-');
        Assert.Contains($"{EnvVarsExample.RelativePath} {envFile}", Repository.ReadAllText("deploy/README.md"));
    }
}
