using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nbdmux.Client.Tests;

/// <summary>What the client makes of servers that refuse, misbehave, or are not there.</summary>
public sealed class NbdmuxClientFailureTests
{
    private const string Record = """{"name":"node1","file":"/srv/a.img","readonly":true,"status":"ready","size_bytes":512,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}""";

    [Fact]
    public async Task Password_goes_as_a_bearer_token_and_401_carries_the_servers_message()
    {
        await using var server = await FakeServer.RequiringPasswordAsync("s3cret", context => FakeServer.JsonAsync(context, "[]"));
        using var anonymous = new NbdmuxClient(server.Address);
        using var admin = new NbdmuxClient(server.Address, password: "s3cret");

        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => anonymous.ListExportsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("The admin password is missing or wrong.", refused.Message);

        Assert.Empty(await admin.ListExportsAsync());
        Assert.Equal([null, "Bearer s3cret"], server.Requests.Select(request => request.Authorization));
    }

    [Theory]
    [InlineData("""{"title":"Conflict.","detail":"from detail"}""", "from detail")]
    [InlineData("""{"title":"Only a title."}""", "Only a title.")]
    [InlineData("""{"error":"","detail":"empty error falls through"}""", "empty error falls through")]
    [InlineData("upstream said no", "HTTP 409 Conflict: upstream said no")]
    [InlineData("<html><body>proxy page</body></html>", "HTTP 409 Conflict")]
    public async Task The_message_is_error_else_detail_else_title_else_the_status(string body, string message)
    {
        await using var server = await FakeServer.StartAsync((context, _) => FakeServer.ProblemAsync(context, StatusCodes.Status409Conflict, body));
        using var client = new NbdmuxClient(server.Address);

        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => client.GetExportAsync("node1"));

        Assert.Equal((HttpStatusCode.Conflict, message), (refused.StatusCode, refused.Message));
    }

    [Fact]
    public async Task Records_with_fields_from_a_newer_daemon_are_read()
    {
        var newer = Record.Replace("}", ""","clients_max":3,"allow":["10.0.0.0/8"],"copy_on_write":false}""");
        await using var server = await FakeServer.StartAsync((context, _) => FakeServer.JsonAsync(context, $"[{newer}]"));
        using var client = new NbdmuxClient(server.Address);

        var export = Assert.Single(await client.ListExportsAsync());

        Assert.Equal(("node1", 512L), (export.Name, export.SizeBytes));
    }

    [Theory]
    [InlineData(StatusCodes.Status502BadGateway)]
    [InlineData(StatusCodes.Status503ServiceUnavailable)]
    [InlineData(StatusCodes.Status504GatewayTimeout)]
    public async Task Reads_are_retried_after_a_transient_status(int transient)
    {
        await using var server = await FakeServer.StartAsync((context, attempt) => attempt == 1
            ? FakeServer.ProblemAsync(context, transient, """{"error":"try again"}""")
            : FakeServer.JsonAsync(context, Record));
        using var client = new NbdmuxClient(server.Address);

        Assert.Equal("node1", (await client.GetExportAsync("node1")).Name);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Retries_give_up_with_the_last_refusal()
    {
        await using var server = await FakeServer.StartAsync((context, _) => FakeServer.ProblemAsync(context, StatusCodes.Status502BadGateway, """{"error":"upstream down"}"""));
        using var client = new NbdmuxClient(new NbdmuxClientOptions { BaseAddress = server.Address, MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var refused = await Assert.ThrowsAsync<NbdmuxApiException>(() => client.RemoveExportAsync("node1"));

        Assert.Equal((HttpStatusCode.BadGateway, "upstream down"), (refused.StatusCode, refused.Message));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Adds_are_never_retried()
    {
        await using var server = await FakeServer.StartAsync((context, _) => FakeServer.ProblemAsync(context, StatusCodes.Status502BadGateway, """{"error":"upstream down"}"""));
        using var client = new NbdmuxClient(server.Address);

        await Assert.ThrowsAsync<NbdmuxApiException>(() => client.AddExportAsync("node1", "/srv/a.img"));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_closed_port_is_unreachable_naming_the_url_and_fails_fast()
    {
        var address = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");
        using var client = new NbdmuxClient(address);
        var clock = Stopwatch.StartNew();

        var unreachable = await Assert.ThrowsAsync<NbdmuxUnreachableException>(() => client.ListExportsAsync());

        Assert.Null(unreachable.StatusCode);
        Assert.Contains($"cannot reach nbdmux at {address}", unreachable.Message);
        Assert.Equal(new Uri(address, "exports"), unreachable.RequestUri);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_naming_the_url_after_retrying()
    {
        using var server = new SilentServer();
        using var client = new NbdmuxClient(new NbdmuxClientOptions
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromMilliseconds(300),
            MaxRetries = 1,
            RetryDelay = TimeSpan.Zero,
        });

        var unreachable = await Assert.ThrowsAsync<NbdmuxUnreachableException>(() => client.GetHealthAsync());

        Assert.Equal($"nbdmux at {server.Address} did not answer GET /healthz within 0.3 s.", unreachable.Message);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task The_default_timeout_is_five_seconds()
    {
        using var server = new SilentServer();
        using var client = new NbdmuxClient(server.Address);
        var clock = Stopwatch.StartNew();

        var unreachable = await Assert.ThrowsAsync<NbdmuxUnreachableException>(() => client.AddExportAsync("node1", "/srv/a.img"));

        Assert.Contains("within 5 s", unreachable.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Cancelling_while_waiting_is_cancellation_not_a_timeout()
    {
        using var server = new SilentServer();
        using var client = new NbdmuxClient(server.Address);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListExportsAsync(cancellation.Token));
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_up_front()
    {
        Assert.Throws<ArgumentException>(() => new NbdmuxClient(new Uri("ftp://host/")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NbdmuxClient(new NbdmuxClientOptions { Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NbdmuxClient(new NbdmuxClientOptions { MaxRetries = -1 }));
    }

    [Fact]
    public async Task A_base_path_is_kept()
    {
        await using var server = await FakeServer.StartAsync((context, _) => FakeServer.JsonAsync(context, "[]"));
        using var client = new NbdmuxClient(new Uri(server.Address, "behind/proxy"));

        await client.ListExportsAsync();

        Assert.Equal("/behind/proxy/exports", server.Requests.Single().Path);
    }
}
