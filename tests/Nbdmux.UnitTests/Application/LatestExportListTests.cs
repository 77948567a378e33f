using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.UnitTests.Application;

public class LatestExportListTests
{
    private static readonly IReadOnlyList<Export> Registry =
        [Export.Register("node1", new ImageFile("/images/a.img", 512, new FileIdentity(1, 2)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch)];

    private static readonly NbdServerStatus Running = new(NbdServerState.Running, 42, DateTimeOffset.UnixEpoch, 0, null);

    private static readonly IReadOnlyList<ClientConnection> NoClients = [];

    private static readonly TargetAddress Lab = new("10.0.0.2", 10809);

    private readonly LatestExportList _latest = new();

    [Fact]
    public void The_same_registry_status_and_clients_give_the_same_list()
    {
        var list = _latest.For(Registry, Running, NoClients, Lab);

        Assert.Same(list, _latest.For(Registry, Running, NoClients, Lab));
    }

    [Fact]
    public void A_new_registry_status_or_set_of_clients_gives_a_new_list_that_shows_it()
    {
        _latest.For(Registry, Running, NoClients, Lab);

        Assert.Empty(_latest.For([], Running, NoClients, Lab));
        Assert.Equal(ExportStatus.Unavailable, Assert.Single(_latest.For(Registry, Running with { State = NbdServerState.Restarting }, NoClients, Lab)).Status);
        Assert.Equal(1, Assert.Single(_latest.For(Registry, Running, [new ClientConnection("7", "node1", "10.0.0.9:4000", DateTimeOffset.UnixEpoch)], Lab)).ConnectionCount);
    }

    [Fact]
    public void On_a_shared_registry_each_export_shows_its_clients_on_every_node_and_is_kept_while_they_are_the_same()
    {
        IReadOnlyList<ClientConnection> here = [new ClientConnection("7", "node1", "10.0.0.9:4000", DateTimeOffset.UnixEpoch)];
        var cluster = new ClusterConnections("a", [new NodeClient("b", "42-1", "node1", "10.0.0.5:4000", DateTimeOffset.UnixEpoch)]);

        var list = _latest.For(Registry, Running, here, Lab, cluster);

        var export = Assert.Single(list);
        Assert.Equal(2, export.ConnectionCount);
        Assert.Equal([("10.0.0.9:4000", "a"), ("10.0.0.5:4000", "b")], export.Connections.Select(c => (c.Peer, c.Node)));
        Assert.Same(list, _latest.For(Registry, Running, here, Lab, cluster with { }));
        Assert.Equal(1, Assert.Single(_latest.For(Registry, Running, here, Lab, cluster with { Elsewhere = [] })).ConnectionCount);
    }

    [Fact]
    public void Each_record_gives_the_nbd_client_and_ramboot_kernel_command_lines_for_the_address_asked_for()
    {
        var node = Assert.Single(_latest.For(Registry, Running, NoClients, Lab));
        Assert.Equal("nbd-client 10.0.0.2 10809 -name node1 /dev/nbd0", node.NbdClientCommand);
        Assert.Equal("ip=dhcp nbdroot=10.0.0.2:10809/node1 root=/dev/nbd0 ro nbdmux.overlay=tmpfs", node.KernelCommandLine);

        var overIpv6 = Assert.Single(_latest.For(Registry, Running, NoClients, new TargetAddress("fd00::2", 10900)));
        Assert.Equal("nbd-client fd00::2 10900 -name node1 /dev/nbd0", overIpv6.NbdClientCommand);
        Assert.Equal("ip=dhcp nbdroot=[fd00::2]:10900/node1 root=/dev/nbd0 ro nbdmux.overlay=tmpfs", overIpv6.KernelCommandLine);
    }
}
