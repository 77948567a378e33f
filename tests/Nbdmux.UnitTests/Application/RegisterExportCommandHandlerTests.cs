using FluentValidation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports.RegisterExport;
using Nbdmux.Domain.Exports;
using Nbdmux.Testing;

namespace Nbdmux.UnitTests.Application;

public class RegisterExportCommandHandlerTests
{
    private readonly Fakes _fakes = new();
    private readonly SimulatedTime _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private RegisterExportCommandHandler Handler() => new(
        _fakes.Store.Object, _fakes.NbdServer.Object, _fakes.Cluster.Object, _fakes.ImageFiles.Object, _fakes.Warmer.Object, _clock, new Nbdmux.Application.Common.Audit.AuditedChange(),
        NullLogger<RegisterExportCommandHandler>.Instance);

    [Fact]
    public async Task A_new_name_is_stored_published_read_only_by_default_and_committed()
    {
        _fakes.HasImage("/images/a.img", 4096);

        var result = await Handler().Handle(new RegisterExportCommand("node1", "/images/a.img", null), default);

        Assert.True(result.Created);
        Assert.True(result.Export.Readonly);
        Assert.Equal(4096, result.Export.SizeBytes);
        _fakes.Store.Verify(s => s.Add(It.Is<Export>(e => e.Name == "node1")));
        _fakes.NbdServer.Verify(n => n.PublishAsync(new ServedExport("node1", "/images/a.img", Fakes.IdentityOf("/images/a.img"), ExportAccess.ReadOnlyForEveryone), It.IsAny<CancellationToken>()));
        Assert.True(_fakes.Committed);
    }

    [Fact]
    public async Task Re_registering_a_name_replaces_its_file_and_mode()
    {
        var existing = Export.Register("node1", new ImageFile("/images/a.img", 4096, Fakes.IdentityOf("/images/a.img")), ExportAccess.ReadOnlyForEveryone, _clock.GetUtcNow());
        _fakes.Registered(existing);
        _fakes.HasImage("/images/b.img", 8192);
        _clock.Advance(TimeSpan.FromMinutes(5));

        var result = await Handler().Handle(new RegisterExportCommand("node1", "/images/b.img", false), default);

        Assert.False(result.Created);
        Assert.Equal(("/images/b.img", false, 8192L), (existing.FilePath, existing.ReadOnly, existing.SizeBytes));
        Assert.Equal(_clock.GetUtcNow(), existing.UpdatedAt);
        _fakes.Store.Verify(s => s.Add(It.IsAny<Export>()), Times.Never);
        _fakes.NbdServer.Verify(n => n.PublishAsync(new ServedExport("node1", "/images/b.img", Fakes.IdentityOf("/images/b.img"), new ExportAccess(readOnly: false)), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Nothing_is_committed_when_nbd_server_cannot_serve_the_change()
    {
        _fakes.HasImage("/images/a.img", 4096);
        _fakes.NbdServer.Setup(n => n.PublishAsync(It.IsAny<ServedExport>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new NbdServerUnavailableException("down"));

        await Assert.ThrowsAsync<NbdServerUnavailableException>(() =>
            Handler().Handle(new RegisterExportCommand("node1", "/images/a.img", true), default));

        Assert.False(_fakes.Committed);
    }

    [Fact]
    public async Task A_file_that_vanished_after_validation_is_a_validation_error()
    {
        _fakes.ImageFiles.Setup(f => f.Inspect("/images/gone.img")).Returns(ImageInspection.Refused("gone"));

        await Assert.ThrowsAsync<ValidationException>(() =>
            Handler().Handle(new RegisterExportCommand("node1", "/images/gone.img", true), default));

        _fakes.NbdServer.VerifyNoOtherCalls();
    }
}
