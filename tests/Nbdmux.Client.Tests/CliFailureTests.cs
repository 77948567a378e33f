using Nbdmux.Cli;

namespace Nbdmux.Client.Tests;

/// <summary>Every way `nbdmux` can fail ends with a non-zero exit code and one `nbdmux: ...` line.</summary>
public sealed class CliFailureTests
{
    [Fact]
    public async Task Without_the_password_401_says_how_to_give_it()
    {
        await using var server = await FakeServer.RequiringPasswordAsync("s3cret", context => FakeServer.JsonAsync(context, "[]"));

        var run = await CliRun.RunAsync("ls", "--server", server.Address.ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"nbdmux: The admin password is missing or wrong. (give the admin password with --password or ${GlobalOptions.PasswordVariable})", run.SingleErrorLine());
    }

    [Fact]
    public async Task The_password_comes_from_the_flag_or_NBDMUX_ADMIN_PASSWORD()
    {
        await using var server = await FakeServer.RequiringPasswordAsync("s3cret", context => FakeServer.JsonAsync(context, "[]"));

        var flag = await CliRun.RunAsync("ls", "--server", server.Address.ToString(), "--password", "s3cret");
        var environment = await CliRun.RunAsync(new Dictionary<string, string> { [GlobalOptions.PasswordVariable] = "s3cret" }, "ls", "--server", server.Address.ToString());

        Assert.Equal((0, "NAME  FILE  SIZE  MODE  CLIENTS  STATUS\n"), (flag.ExitCode, flag.Out));
        Assert.Equal(0, environment.ExitCode);
    }

    [Fact]
    public async Task An_unreachable_server_is_named()
    {
        var address = $"http://127.0.0.1:{LoopbackPorts.Free()}/";

        var run = await CliRun.RunAsync("ls", "--server", address);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"nbdmux: cannot reach nbdmux at {address}: ", run.SingleErrorLine());
    }

    [Fact]
    public async Task A_hung_server_times_out_after_timeout_seconds()
    {
        using var server = new SilentServer();

        var run = await CliRun.RunAsync("rm", "node1", "--server", server.Address.ToString(), "--timeout", "0.2");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"nbdmux: nbdmux at {server.Address} did not answer DELETE /exports/node1 within 0.2 s.", run.SingleErrorLine());
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided.")]
    [InlineData(new[] { "add", "node1" }, "Required argument missing")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "ls", "--timeout", "0" }, "--timeout must be a positive number of seconds.")]
    [InlineData(new[] { "ls", "--server", "localhost:8082" }, "--server 'localhost:8082' is not an http:// or https:// URL")]
    public async Task Usage_errors_exit_2(string[] args, string message)
    {
        var run = await CliRun.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.SingleErrorLine());
    }

    [Fact]
    public async Task A_bad_NBDMUX_URL_is_named()
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string> { [GlobalOptions.ServerVariable] = "nbd-host" }, "ls");

        Assert.Equal((2, "nbdmux: $NBDMUX_URL 'nbd-host' is not an http:// or https:// URL (e.g. http://localhost:8082)."), (run.ExitCode, run.SingleErrorLine()));
    }
}
