using System.Text.Json;
using System.Text.Json.Nodes;
using Moq;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Cli;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Linux;

namespace Nbdmux.Client.Tests;

/// <summary>`nbdmux` commands against the live API.</summary>
public sealed class CliTests : IDisposable
{
    private readonly LiveNbdmux _server = new();

    public void Dispose() => _server.Dispose();

    private Task<CliRun> NbdmuxAsync(params string[] args) => CliRun.RunAsync(["--server", _server.Address.ToString(), .. args]);

    [Fact]
    public async Task Ls_prints_an_aligned_table()
    {
        var image = _server.CreateImage("disk-with-a-long-name.img", 3 << 20);
        await NbdmuxAsync("add", "node10", image);
        await NbdmuxAsync("add", "n2", _server.CreateImage("b.img", 512), "--rw");
        await NbdmuxAsync("add", "lab", _server.CreateImage("c.img", 512), "--cow", "--allow", "10.0.0.0/8");

        var run = await NbdmuxAsync("ls");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        var lines = run.Out.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^NAME\s+FILE\s+SIZE\s+MODE\s+CLIENTS\s+STATUS$", lines[0]);
        Assert.Matches($@"^lab +\S+c\.img +512 B +cow +0 +ready$", lines[1]);
        Assert.Matches($@"^n2 +\S+b\.img +512 B +rw +0 +ready$", lines[2]);
        Assert.Matches($@"^node10 +{image.Replace(".", @"\.")} +3 MiB +ro +0 +ready$", lines[3]);
        Assert.All(lines[1..], line => Assert.Equal(lines[0].IndexOf("FILE", StringComparison.Ordinal), line.IndexOf('/')));
        Assert.All(lines[1..], line => Assert.Equal(lines[0].IndexOf("MODE", StringComparison.Ordinal), System.Text.RegularExpressions.Regex.Match(line, " (ro|rw|cow) ").Index + 1));
    }

    [Fact]
    public async Task Add_and_rm_pass_copy_on_write_allow_and_force()
    {
        var image = _server.CreateImage("lab.img", 4096);

        var added = await NbdmuxAsync("add", "lab", image, "--cow", "--allow", "10.0.0.0/8", "--allow", "fd00::/64");
        var removed = await NbdmuxAsync("rm", "lab", "--force");

        Assert.Equal((0, 0), (added.ExitCode, removed.ExitCode));
        Assert.StartsWith("added lab:", added.Out);
        Assert.Contains("(cow,", added.Out);
        _server.NbdServer.Verify(n => n.PublishAsync(
            It.Is<ServedExport>(e => e.Access.CopyOnWrite && !e.Access.ReadOnly && e.Access.Allow!.SequenceEqual(new[] { "10.0.0.0/8", "fd00::/64" })),
            It.IsAny<CancellationToken>()));
        _server.NbdServer.Verify(n => n.WithdrawAsync("lab", It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Show_prints_one_export_with_its_nbd_client_line_and_ramboot_kernel_command_line()
    {
        var image = _server.CreateImage("a.img", 4096);
        await NbdmuxAsync("add", "node1", image);

        var run = await NbdmuxAsync("show", "node1");
        var json = await NbdmuxAsync("show", "node1", "--json");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Contains($"file:        {image}\n", run.Out);
        Assert.Contains("mode:        ro\n", run.Out);
        Assert.Contains("nbd-client:  nbd-client 127.0.0.1 10809 -name node1 /dev/nbd0\n", run.Out);
        Assert.Contains("ramboot:     ip=dhcp nbdroot=127.0.0.1:10809/node1 root=/dev/nbd0 ro nbdmux.overlay=tmpfs\n", run.Out);
        Assert.Equal("ip=dhcp nbdroot=127.0.0.1:10809/node1 root=/dev/nbd0 ro nbdmux.overlay=tmpfs",
            JsonDocument.Parse(json.Out).RootElement.GetProperty("kernel_command_line").GetString());
    }

    [Fact]
    public async Task Ls_json_prints_the_snake_case_records()
    {
        var image = _server.CreateImage("a.img", 4096);
        await NbdmuxAsync("add", "node1", image);

        var run = await NbdmuxAsync("ls", "--json");

        Assert.Equal(0, run.ExitCode);
        var export = Assert.Single(JsonDocument.Parse(run.Out).RootElement.EnumerateArray());
        Assert.Equal(("node1", image, true, 4096), (export.GetProperty("name").GetString(), export.GetProperty("file").GetString(),
            export.GetProperty("readonly").GetBoolean(), export.GetProperty("size_bytes").GetInt32()));
        Assert.Equal("ready", export.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Add_then_add_again_says_added_then_unchanged_then_replaced()
    {
        var image = _server.CreateImage("a.img", 1 << 20);

        var added = await NbdmuxAsync("add", "node1", image);
        var unchanged = await NbdmuxAsync("add", "node1", image);
        var replaced = await NbdmuxAsync("add", "node1", image, "--rw");

        Assert.Equal((0, $"added node1: {image} (ro, 1 MiB, ready)\n"), (added.ExitCode, added.Out));
        Assert.Equal((0, $"unchanged node1: {image} (ro, 1 MiB, ready)\n"), (unchanged.ExitCode, unchanged.Out));
        Assert.Equal((0, $"replaced node1: {image} (rw, 1 MiB, ready)\n"), (replaced.ExitCode, replaced.Out));
        _server.NbdServer.Verify(n => n.PublishAsync(new ServedExport("node1", image, FileStat.OfLink(image).Identity, new ExportAccess(readOnly: false)), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Ls_json_prints_the_records_as_the_api_does_connections_included()
    {
        var image = _server.CreateImage("a.img", 4096);
        await NbdmuxAsync("add", "node1", image);
        _server.NbdServer.Setup(n => n.Connections()).Returns([new ClientConnection("c1", "node1", "10.0.0.7:51234", DateTimeOffset.UnixEpoch)]);
        using var http = new HttpClient();
        var api = JsonNode.Parse(await http.GetStringAsync(new Uri(_server.Address, "exports")))!;

        var run = await NbdmuxAsync("ls", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.True(JsonNode.DeepEquals(api, JsonNode.Parse(run.Out)), $"API:\n{api}\nCLI:\n{run.Out}");
        Assert.Equal(
            api[0]!.AsObject().Select(member => member.Key),
            JsonNode.Parse(run.Out)![0]!.AsObject().Select(member => member.Key));
    }

    [Fact]
    public async Task Images_lists_the_files_an_export_can_serve_and_why_others_cannot()
    {
        var image = _server.CreateImage("disk.img", 1 << 20);
        var empty = _server.CreateImage("empty.img", 0);
        await NbdmuxAsync("add", "node1", image);

        var run = await NbdmuxAsync("images");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        var lines = run.Out.TrimEnd().Split('\n');
        Assert.Matches(@"^PATH\s+SIZE\s+EXPORTABLE\s+EXPORTS$", lines[0]);
        Assert.Matches($@"^{image.Replace(".", @"\.")} +1 MiB +yes \(none\) +node1$", lines[1]);
        Assert.Matches($@"^{empty.Replace(".", @"\.")} +0 B +no +-$", lines[2]);
        Assert.StartsWith($"{empty}: ", lines[3]);
    }

    [Fact]
    public async Task Add_json_prints_the_record()
    {
        var run = await NbdmuxAsync("--json", "add", "node1", _server.CreateImage("a.img", 512));

        Assert.Equal("node1", JsonDocument.Parse(run.Out).RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Add_refused_by_the_server_exits_1_with_its_message()
    {
        var run = await NbdmuxAsync("add", "bad name", _server.CreateImage("a.img", 512));

        Assert.Equal((1, ""), (run.ExitCode, run.Out));
        Assert.Matches("^nbdmux: .*name must be", run.SingleErrorLine());
    }

    [Fact]
    public async Task Rm_is_idempotent()
    {
        await NbdmuxAsync("add", "node1", _server.CreateImage("a.img", 512));

        var removed = await NbdmuxAsync("rm", "node1");
        var again = await NbdmuxAsync("rm", "node1");
        var json = await NbdmuxAsync("rm", "node1", "--json");

        Assert.Equal((0, "removed node1\n"), (removed.ExitCode, removed.Out));
        Assert.Equal((0, "node1 was not registered; nothing to remove\n"), (again.ExitCode, again.Out));
        Assert.False(JsonDocument.Parse(json.Out).RootElement.GetProperty("removed").GetBoolean());
    }

    [Fact]
    public async Task Health_exits_0_when_ok_and_1_with_the_reason_when_not()
    {
        var ok = await NbdmuxAsync("health");
        _server.NbdServer.SetupGet(n => n.Status).Returns(new NbdServerStatus(NbdServerState.Down, null, null, 5, "gave up"));
        var down = await NbdmuxAsync("health");
        var downJson = await NbdmuxAsync("health", "--json");

        Assert.Equal((0, "ok\n", ""), (ok.ExitCode, ok.Out, ok.Error));
        Assert.Equal((1, ""), (down.ExitCode, down.Out));
        Assert.Equal("nbdmux: unhealthy: nbd-server is down: gave up", down.SingleErrorLine());
        Assert.Equal(1, downJson.ExitCode);
        Assert.False(JsonDocument.Parse(downJson.Out).RootElement.GetProperty("is_healthy").GetBoolean());
    }

    [Fact]
    public async Task The_server_comes_from_NBDMUX_URL_when_not_given()
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string> { [GlobalOptions.ServerVariable] = _server.Address.ToString() }, "health");

        Assert.Equal((0, "ok\n"), (run.ExitCode, run.Out));
    }
}
