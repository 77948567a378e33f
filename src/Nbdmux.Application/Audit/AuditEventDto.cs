using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Audit;

/// <summary>An audit record as the API shows it (snake_case on the wire: actor_address, ...).</summary>
public sealed record AuditEventDto(
    long Id,
    DateTimeOffset At,
    AuditAction Action,
    string? Export,
    string? ActorAddress,
    AuditAuthentication Authentication,
    bool Forced,
    string? Before,
    string? After,
    IReadOnlyList<string> Disconnected,
    AuditOutcome Outcome,
    int? Status,
    string? Reason)
{
    public static AuditEventDto From(AuditEvent e) => new(
        e.Id, e.At, e.Action, e.ExportName, e.ActorAddress, e.Authentication, e.Forced,
        e.Before, e.After, e.Disconnected, e.Outcome, e.Status, e.Reason);
}

/// <summary>One page of the audit log, newest first; <paramref name="Total"/> counts every match of the filters.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEventDto> Events, int Page, int PageSize, int Total);
