using Microsoft.AspNetCore.Http;
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
    public async Task Pointing_at_an_nbd_port_says_it_is_not_nbdmux_api()
    {
        using var nbd = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        nbd.Start();
        var address = $"http://127.0.0.1:{((System.Net.IPEndPoint)nbd.LocalEndpoint).Port}/";
        using var stop = new CancellationTokenSource();
        // As an NBD server does: a greeting, and the connection closed when the client's reply makes no sense.
        var greetings = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await nbd.AcceptTcpClientAsync(stop.Token);
                await client.GetStream().WriteAsync("NBDMAGIC"u8.ToArray().Concat("IHAVEOPT"u8.ToArray()).Concat(new byte[] { 0, 3 }).ToArray());
                await client.GetStream().ReadExactlyAsync(new byte[4]);
            }
        });

        var run = await CliRun.RunAsync("ls", "--server", address, "--timeout", "2");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => greetings);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"nbdmux: {address} does not answer HTTP, so it is not nbdmux's API (is it the NBD port? The API listens on nbdmux's --port, 8082 by default).", run.SingleErrorLine());
    }

    [Fact]
    public async Task A_web_server_that_is_not_nbdmux_is_called_so()
    {
        await using var server = await FakeServer.StartAsync((context, _) => context.Response.WriteAsync("<html>hello</html>"));

        var run = await CliRun.RunAsync("ls", "--server", server.Address.ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"nbdmux: {server.Address} answered 200 with something that is not nbdmux's JSON; is it nbdmux's API?", run.SingleErrorLine());
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
    [InlineData(new[] { "add", "lab", "/srv/images/lab.img", "--rw", "--cow" }, "--rw and --cow cannot be combined")]
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
