namespace Nbdmux.Client.Tests;

public sealed class NodesClientTests
{
    [Fact]
    public async Task The_nodes_are_listed_with_the_answering_one_up_and_current()
    {
        using var server = new LiveNbdmux(runHeartbeat: true);
        using var client = new NbdmuxClient(server.Address);

        var node = Assert.Single(await client.ListNodesAsync());

        Assert.Equal(("up", 0L, true), (node.Status, node.Lag, node.Local));
        Assert.EndsWith(":10809", node.NbdEndpoint);
        Assert.True(node.LastHeartbeat >= node.UpSince);
    }
}
