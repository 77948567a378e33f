using Nbdmux.Cli;

namespace Nbdmux.Client.Tests;

public sealed class NodeTableTests
{
    [Fact]
    public void Nodes_are_aligned_with_their_counts_right_aligned_and_heartbeats_in_utc()
    {
        var output = new StringWriter();
        var heartbeat = new DateTimeOffset(2026, 12, 2, 10, 1, 12, TimeSpan.FromHours(1));

        NodeTable.Write(output, [
            Node("nbd-a", "up", exports: 1000, connections: 37, lag: 0, heartbeat),
            Node("nbd-long-name", "down", exports: 9, connections: 0, lag: 12, heartbeat.AddMinutes(-14)),
        ]);

        var lines = output.ToString().TrimEnd().Split('\n');
        Assert.Equal("NAME           STATUS  NBD                  API                        BACKEND  EXPORTS  CLIENTS  LAG  HEARTBEAT", lines[0]);
        Assert.Equal("nbd-a          up      nbd-a:10809          http://nbd-a:8082          nbdkit      1000       37    0  2026-12-02T09:01:12Z", lines[1]);
        Assert.Equal("nbd-long-name  down    nbd-long-name:10809  http://nbd-long-name:8082  nbdkit         9        0   12  2026-12-02T08:47:12Z", lines[2]);
    }

    private static NbdmuxNode Node(string name, string status, int exports, int connections, long lag, DateTimeOffset heartbeat) =>
        new(name, name, $"http://{name}:8082", $"{name}:10809", "nbdkit", status, heartbeat.AddHours(-1), heartbeat, exports, connections, 100 - lag, lag, Local: name == "nbd-a");
}
