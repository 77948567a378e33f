using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Domain.Exports;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Application;

/// <summary>POST /exports with src_url, as the handler records and hands it to the warmer.</summary>
public class WarmExportTests
{
    private const string Url = "http://images.lab/pub/debian.img.zst";
    private readonly Fakes _fakes = new();
    private readonly SimulatedTime _clock = new(new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero));

    private RegisterExportCommandHandler Handler() => new(
        _fakes.Store.Object, _fakes.NbdServer.Object, _fakes.Cluster.Object, _fakes.ImageFiles.Object, _fakes.Warmer.Object, _clock, new Nbdmux.Application.Common.Audit.AuditedChange(),
        NullLogger<RegisterExportCommandHandler>.Instance);

    [Fact]
    public async Task A_new_name_is_queued_with_the_format_of_its_url_and_handed_to_the_warmer_after_the_commit()
    {
        var queuedAfterCommit = false;
        _fakes.Warmer.Setup(w => w.Enqueue("node1")).Callback(() => queuedAfterCommit = _fakes.Committed);

        var result = await Handler().Handle(new RegisterExportCommand("node1", null, null, SrcUrl: Url), default);

        Assert.True(result.Created);
        Assert.Equal((ExportStatus.Queued, "/images/node1.img", Url, "img.zst", 0L), (result.Export.Status, result.Export.File, result.Export.SrcUrl, result.Export.Format, result.Export.BytesDone));
        Assert.Equal(_clock.GetUtcNow(), result.Export.EnqueuedAt);
        Assert.True(queuedAfterCommit);
        _fakes.NbdServer.Verify(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Asking_again_for_the_same_warm_changes_nothing()
    {
        var existing = Export.Warm("node1", "/images/node1.img", new WarmSource(Url, WarmFormat.Zstd, null), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        _fakes.Registered(existing);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var result = await Handler().Handle(new RegisterExportCommand("node1", null, null, SrcUrl: Url), default);

        Assert.False(result.Created);
        Assert.Equal(_clock.GetUtcNow() - TimeSpan.FromMinutes(1), existing.EnqueuedAt);
        _fakes.Warmer.Verify(w => w.Enqueue(It.IsAny<string>()), Times.Never);
        Assert.False(_fakes.Committed);
    }

    [Fact]
    public async Task A_failed_warm_is_queued_again()
    {
        var existing = Export.Warm("node1", "/images/node1.img", new WarmSource(Url, WarmFormat.Zstd, null), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        existing.WarmStarted(_clock.GetUtcNow(), "a");
        existing.WarmFailed("answered 503", _clock.GetUtcNow());
        _fakes.Registered(existing);

        var result = await Handler().Handle(new RegisterExportCommand("node1", null, null, SrcUrl: Url), default);

        Assert.Equal((ExportStatus.Queued, (string?)null, (DateTimeOffset?)null), (result.Export.Status, result.Export.Error, result.Export.CompletedAt));
        _fakes.Warmer.Verify(w => w.Enqueue("node1"));
    }

    [Fact]
    public async Task Warming_a_served_export_from_a_new_source_withdraws_it_and_refuses_while_clients_are_connected()
    {
        var served = Export.Register("node1", new ImageFile("/images/a.img", 4096, Fakes.IdentityOf("/images/a.img")), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        _fakes.Registered(served);
        _fakes.NbdServer.Setup(n => n.Connections()).Returns([new ClientConnection("1", "node1", "10.0.0.7:4000", _clock.GetUtcNow())]);

        await Assert.ThrowsAsync<ExportInUseException>(() => Handler().Handle(new RegisterExportCommand("node1", null, null, SrcUrl: Url), default));
        _fakes.NbdServer.Setup(n => n.Connections()).Returns([]);
        var result = await Handler().Handle(new RegisterExportCommand("node1", null, null, SrcUrl: Url), default);

        Assert.Equal((ExportStatus.Queued, "/images/node1.img", 0L), (result.Export.Status, result.Export.File, result.Export.SizeBytes));
        Assert.Null(served.FileIdentity);
        _fakes.NbdServer.Verify(n => n.WithdrawAsync("node1", It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task A_warm_whose_landing_path_another_export_serves_is_refused()
    {
        var other = Export.Register("other", new ImageFile("/images/node1.img", 4096, Fakes.IdentityOf("/images/node1.img")), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        _fakes.Registered(other);

        var refusal = await Assert.ThrowsAsync<ImageUnservableException>(() => Handler().Handle(new RegisterExportCommand("node1", null, null, SrcUrl: Url), default));

        Assert.Contains("export 'other' registers", refusal.Message);
        _fakes.Store.Verify(s => s.Add(It.IsAny<Export>()), Times.Never);
    }

    [Fact]
    public async Task Registering_a_file_under_a_warming_name_replaces_the_warm_and_cancels_it()
    {
        _fakes.Registered(Export.Warm("node1", "/images/node1.img", new WarmSource(Url, null, null), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow()));
        _fakes.HasImage("/images/a.img", 4096);

        var result = await Handler().Handle(new RegisterExportCommand("node1", "/images/a.img", null), default);

        Assert.Equal((ExportStatus.Ready, (string?)null, 4096L), (result.Export.Status, result.Export.SrcUrl, result.Export.SizeBytes));
        _fakes.Warmer.Verify(w => w.Cancel("node1"));
    }
}
