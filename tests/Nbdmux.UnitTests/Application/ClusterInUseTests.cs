using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Application.Exports.RemoveExport;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Application;

/// <summary>The 409 for in-use changes and force on a shared registry: other nodes' recorded clients count as this node's own.</summary>
public class ClusterInUseTests
{
    private readonly Fakes _fakes = new();
    private readonly SimulatedTime _clock = new(new DateTimeOffset(2026, 12, 2, 16, 0, 0, TimeSpan.Zero));
    private readonly AuditedChange _audit = new();
    private readonly NodeClient _onB;
    private readonly Export _export;

    public ClusterInUseTests()
    {
        _onB = new NodeClient("b", "4242-1", "node1", "10.0.0.5:40000", _clock.GetUtcNow());
        _export = Export.Register("node1", new ImageFile("/images/a.img", 4096, Fakes.IdentityOf("/images/a.img")), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        _fakes.Registered(_export);
        _fakes.Cluster.SetupGet(c => c.LocalNode).Returns("a");
    }

    private RemoveExportCommandHandler Remover() =>
        new(_fakes.Store.Object, _fakes.NbdServer.Object, _fakes.Cluster.Object, _clock, _fakes.Warmer.Object, _audit, NullLogger<RemoveExportCommandHandler>.Instance);

    private RegisterExportCommandHandler Registrar() =>
        new(_fakes.Store.Object, _fakes.NbdServer.Object, _fakes.Cluster.Object, _fakes.ImageFiles.Object, _fakes.Warmer.Object, _clock, _audit, NullLogger<RegisterExportCommandHandler>.Instance);

    private void ConnectedElsewhere(params NodeClient[] clients) =>
        _fakes.Cluster.Setup(c => c.ElsewhereAsync("node1", It.IsAny<CancellationToken>())).ReturnsAsync(clients);

    [Fact]
    public async Task A_client_on_another_node_refuses_the_removal_naming_that_node()
    {
        ConnectedElsewhere(_onB);

        var refusal = await Assert.ThrowsAsync<ExportInUseException>(() => Remover().Handle(new RemoveExportCommand("node1"), default));

        Assert.Equal([new InUseBy("10.0.0.5:40000", _onB.Since, "b")], refusal.Clients);
        Assert.Contains("10.0.0.5:40000 on node b", refusal.Message);
        Assert.Contains("on every node", refusal.Message);
        _fakes.Store.Verify(s => s.Remove(It.IsAny<Export>()), Times.Never);
        _fakes.Change.Verify(c => c.CutClients(It.IsAny<string>()), Times.Never);
        Assert.False(_fakes.Committed);
    }

    [Fact]
    public async Task Clients_here_and_elsewhere_are_listed_each_with_its_node()
    {
        var here = new ClientConnection("7", "node1", "10.0.0.9:50000", _clock.GetUtcNow());
        _fakes.NbdServer.Setup(n => n.Connections()).Returns([here]);
        ConnectedElsewhere(_onB);

        var refusal = await Assert.ThrowsAsync<ExportInUseException>(() => Remover().Handle(new RemoveExportCommand("node1"), default));

        Assert.Equal(["a", "b"], refusal.Clients.Select(c => c.Node));
    }

    [Fact]
    public async Task Forced_removal_orders_every_node_to_cut_its_clients_and_cuts_only_its_own_here()
    {
        ConnectedElsewhere(_onB);

        await Remover().Handle(new RemoveExportCommand("node1", Force: true), default);

        Assert.True(_fakes.Committed);
        _fakes.Change.Verify(c => c.CutClients("node1"));
        _fakes.NbdServer.Verify(n => n.DisconnectAsync(It.IsAny<IReadOnlyList<ClientConnection>>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Equal(["10.0.0.5:40000 on node b"], _audit.Disconnected);
    }

    [Fact]
    public async Task A_forced_change_orders_the_cut_even_when_no_node_had_recorded_a_client()
    {
        await Remover().Handle(new RemoveExportCommand("node1", Force: true), default);

        // A client may have connected on another node since that node last recorded its clients.
        _fakes.Change.Verify(c => c.CutClients("node1"));
        Assert.Empty(_audit.Disconnected);
    }

    [Fact]
    public async Task A_client_that_has_just_left_another_node_is_waited_out_not_refused()
    {
        _fakes.Cluster.SetupSequence(c => c.ElsewhereAsync("node1", It.IsAny<CancellationToken>()))
            .ReturnsAsync([_onB])
            .ReturnsAsync([]);

        await Remover().Handle(new RemoveExportCommand("node1"), default);

        Assert.True(_fakes.Committed);
        _fakes.Change.Verify(c => c.CutClients(It.IsAny<string>()), Times.Never);
    }

    [Fact]
    public async Task Replacing_the_file_under_a_client_on_another_node_is_refused_until_forced()
    {
        _fakes.HasImage("/images/b.img", 8192);
        ConnectedElsewhere(_onB);

        await Assert.ThrowsAsync<ExportInUseException>(() => Registrar().Handle(new RegisterExportCommand("node1", "/images/b.img", null), default));
        Assert.False(_fakes.Committed);

        await Registrar().Handle(new RegisterExportCommand("node1", "/images/b.img", null) { Force = true }, default);

        Assert.True(_fakes.Committed);
        _fakes.Change.Verify(c => c.CutClients("node1"));
    }

    [Fact]
    public async Task Changing_only_the_access_asks_no_node_about_its_clients()
    {
        _fakes.HasImage("/images/a.img", 4096);
        ConnectedElsewhere(_onB);

        await Registrar().Handle(new RegisterExportCommand("node1", "/images/a.img", null, Allow: ["10.0.0.0/8"]), default);

        Assert.True(_fakes.Committed);
        _fakes.Cluster.Verify(c => c.ElsewhereAsync(It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public void On_a_registry_of_one_node_the_refusal_names_no_node()
    {
        var refusal = new ExportInUseException("node1", [new ClientConnection("7", "node1", "10.0.0.9:50000", DateTimeOffset.UnixEpoch)]);

        Assert.Equal([new InUseBy("10.0.0.9:50000", DateTimeOffset.UnixEpoch, null)], refusal.Clients);
        Assert.Equal(
            "Export 'node1' is in use by 10.0.0.9:50000; those machines would lose their disk. Retry with force to disconnect them (?force=true; nbdmux CLI: --force).",
            refusal.Message);
    }
}
