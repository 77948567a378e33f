using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Application;

public class LatestExportListTests
{
    private static readonly IReadOnlyList<Export> Registry =
        [Export.Register("node1", new ImageFile("/images/a.img", 512, new FileIdentity(1, 2)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch)];

    private static readonly NbdServerStatus Running = new(NbdServerState.Running, 42, DateTimeOffset.UnixEpoch, 0, null);

    private static readonly IReadOnlyList<ClientConnection> NoClients = [];

    private readonly LatestExportList _latest = new();

    [Fact]
    public void The_same_registry_status_and_clients_give_the_same_list()
    {
        var list = _latest.For(Registry, Running, NoClients);

        Assert.Same(list, _latest.For(Registry, Running, NoClients));
    }

    [Fact]
    public void A_new_registry_status_or_set_of_clients_gives_a_new_list_that_shows_it()
    {
        _latest.For(Registry, Running, NoClients);

        Assert.Empty(_latest.For([], Running, NoClients));
        Assert.Equal(ExportStatus.Unavailable, Assert.Single(_latest.For(Registry, Running with { State = NbdServerState.Restarting }, NoClients)).Status);
        Assert.Equal(1, Assert.Single(_latest.For(Registry, Running, [new ClientConnection("7", "node1", "10.0.0.9:4000", DateTimeOffset.UnixEpoch)])).ConnectionCount);
    }
}
