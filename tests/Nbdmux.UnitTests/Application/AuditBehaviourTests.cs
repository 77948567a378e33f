using MediatR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Behaviours;
using Nbdmux.Application.Common.Exceptions;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.UnitTests.Application;

public class AuditBehaviourTests
{
    public sealed record Change(string Name) : IRequest<string>, IAuditedCommand
    {
        public AuditAction AuditAction => AuditAction.Remove;
        public string? AuditExportName => Name;
        public bool Force => false;
    }

    private readonly Mock<IAuditLog> _auditLog = new();
    private readonly List<AuditEvent> _recorded = [];

    public AuditBehaviourTests() =>
        _auditLog.Setup(log => log.RecordAsync(It.IsAny<AuditEvent>(), It.IsAny<CancellationToken>()))
            .Callback<AuditEvent, CancellationToken>((e, _) => _recorded.Add(e))
            .Returns(Task.CompletedTask);

    [Fact]
    public async Task A_refused_change_is_recorded_and_its_exception_reaches_the_caller_unchanged()
    {
        var inUse = new ExportInUseException("node1", [new ClientConnection("c", "node1", "10.0.0.9:1", DateTimeOffset.UnixEpoch)]);

        var thrown = await Assert.ThrowsAsync<ExportInUseException>(() =>
            Behaviour().Handle(new Change("node1"), default, () => throw inUse));

        Assert.Same(inUse, thrown);
        var recorded = Assert.Single(_recorded);
        Assert.Equal((AuditAction.Remove, "node1", AuditOutcome.Refused, 409), (recorded.Action, recorded.ExportName, recorded.Outcome, recorded.Status));
    }

    [Fact]
    public async Task A_change_succeeds_even_when_its_audit_record_cannot_be_written()
    {
        _auditLog.Setup(log => log.RecordAsync(It.IsAny<AuditEvent>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("database is locked"));

        Assert.Equal("done", await Behaviour().Handle(new Change("node1"), default, () => Task.FromResult("done")));
    }

    [Fact]
    public async Task Requests_that_are_not_audited_leave_no_record()
    {
        var behaviour = new AuditBehaviour<ValidationBehaviourTests.Ping, string>(new AuditedChange(), Recorder());

        await behaviour.Handle(new ValidationBehaviourTests.Ping("hi"), default, () => Task.FromResult("pong"));

        Assert.Empty(_recorded);
    }

    private AuditBehaviour<Change, string> Behaviour() => new(new AuditedChange(), Recorder());

    private AuditRecorder Recorder()
    {
        var actor = Mock.Of<ICurrentActor>(a => a.Actor == new AuditEvent.Actor("10.0.0.1", AuditAuthentication.Open));
        return new AuditRecorder(actor, _auditLog.Object, new FakeTimeProvider(), NullLogger<AuditRecorder>.Instance);
    }
}
