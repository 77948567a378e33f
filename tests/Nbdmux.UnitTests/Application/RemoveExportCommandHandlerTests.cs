using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.RemoveExport;
using Nbdmux.Domain.Exports;

namespace Nbdmux.UnitTests.Application;

public class RemoveExportCommandHandlerTests
{
    private readonly Fakes _fakes = new();

    private RemoveExportCommandHandler Handler() =>
        new(_fakes.Store.Object, _fakes.NbdServer.Object, _fakes.Cluster.Object, TimeProvider.System, _fakes.Warmer.Object, new Nbdmux.Application.Common.Audit.AuditedChange(), NullLogger<RemoveExportCommandHandler>.Instance);

    [Fact]
    public async Task Removes_the_export_and_withdraws_it_before_committing()
    {
        var export = Export.Register("node1", new ImageFile("/images/a.img", 1, new FileIdentity(1, 2)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch);
        _fakes.Registered(export);

        await Handler().Handle(new RemoveExportCommand("node1"), default);

        _fakes.Store.Verify(s => s.Remove(export));
        _fakes.NbdServer.Verify(n => n.WithdrawAsync("node1", It.IsAny<CancellationToken>()));
        Assert.True(_fakes.Committed);
    }

    [Fact]
    public async Task An_unknown_name_is_not_found_and_touches_nothing()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Handler().Handle(new RemoveExportCommand("ghost"), default));

        _fakes.NbdServer.Verify(n => n.WithdrawAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.False(_fakes.Committed);
    }

    [Fact]
    public async Task A_connected_export_is_not_removed_without_force()
    {
        var export = Export.Register("node1", new ImageFile("/images/a.img", 1, new FileIdentity(1, 2)), ExportAccess.ReadOnlyForEveryone, DateTimeOffset.UnixEpoch);
        _fakes.Registered(export);
        var client = new ClientConnection("77", "node1", "10.0.0.5:40000", DateTimeOffset.UnixEpoch);
        _fakes.NbdServer.Setup(n => n.Connections()).Returns([client]);

        var refusal = await Assert.ThrowsAsync<ExportInUseException>(() => Handler().Handle(new RemoveExportCommand("node1"), default));

        Assert.Contains("10.0.0.5:40000", refusal.Message);
        _fakes.Store.Verify(s => s.Remove(It.IsAny<Export>()), Times.Never);
        Assert.False(_fakes.Committed);

        await Handler().Handle(new RemoveExportCommand("node1", Force: true), default);

        _fakes.NbdServer.Verify(n => n.DisconnectAsync(new[] { client }, It.IsAny<CancellationToken>()));
        Assert.True(_fakes.Committed);
    }
}
