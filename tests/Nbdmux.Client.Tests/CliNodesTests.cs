using System.Text.Json.Nodes;
using Nbdmux.Cli;

namespace Nbdmux.Client.Tests;

/// <summary>`nbdmux nodes` against the live API, its node keeping its row in the registry.</summary>
public sealed class CliNodesTests : IDisposable
{
    private readonly LiveNbdmux _server = new(runHeartbeat: true);

    public void Dispose() => _server.Dispose();

    private Task<CliRun> NbdmuxAsync(params string[] args) => CliRun.RunAsync(["--server", _server.Address.ToString(), .. args]);

    [Fact]
    public async Task Nodes_prints_the_node_that_answered_as_a_row_of_the_table()
    {
        var run = await NbdmuxAsync("nodes");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        var lines = run.Out.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^NAME +STATUS +NBD +API +BACKEND +EXPORTS +CLIENTS +LAG +HEARTBEAT$", lines[0]);
        Assert.Matches(@"^\S+ +up +\S+:10809 +http://\S+ +\S+ +0 +0 +0 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", lines[1]);
    }

    [Fact]
    public async Task Nodes_json_prints_the_records_as_the_api_does()
    {
        using var http = new HttpClient();
        var api = JsonNode.Parse(await http.GetStringAsync(new Uri(_server.Address, "nodes")))!;

        var run = await NbdmuxAsync("nodes", "--json");

        Assert.Equal(0, run.ExitCode);
        var cli = JsonNode.Parse(run.Out)!;
        // Every member in the API's order; the heartbeat may have moved on between the two calls.
        Assert.Equal(api[0]!.AsObject().Select(member => member.Key), cli[0]!.AsObject().Select(member => member.Key));
        foreach (var member in api[0]!.AsObject().Where(member => member.Key != "last_heartbeat"))
        {
            Assert.True(JsonNode.DeepEquals(member.Value, cli[0]![member.Key]), $"{member.Key}: API {member.Value}, CLI {cli[0]![member.Key]}");
        }
    }
}
