namespace Nbdmux.Domain.Audit;

/// <summary>
/// One attempted change (or log-in), whatever came of it: who asked, from where, what it
/// changed and whether it was done or refused, and why.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public AuditAction Action { get; private set; }
    public string? ExportName { get; private set; }
    public string? ActorAddress { get; private set; }
    public AuditAuthentication Authentication { get; private set; }
    public bool Forced { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public IReadOnlyList<string> Disconnected { get; private set; } = [];
    public AuditOutcome Outcome { get; private set; }
    public int? Status { get; private set; }
    public string? Reason { get; private set; }

    private AuditEvent()
    {
    }

    public static AuditEvent Record(
        DateTimeOffset at, AuditAction action, string? exportName, Actor actor, ChangeRecord change, Result result) => new()
        {
            At = at,
            Action = action,
            ExportName = exportName,
            ActorAddress = actor.Address,
            Authentication = actor.Authentication,
            Forced = change.Forced,
            Before = change.Before,
            After = change.After,
            Disconnected = change.Disconnected.ToArray(),
            Outcome = result.Outcome,
            Status = result.Status,
            Reason = result.Reason,
        };

    /// <summary>Who asked: the client address and how it proved it may (bearer, cookie, open mode, none).</summary>
    public sealed record Actor(string? Address, AuditAuthentication Authentication)
    {
        public static Actor Nbdmux { get; } = new(null, AuditAuthentication.System);
    }

    /// <summary>What the change touched: the export before and after, and the clients cut by force.</summary>
    public sealed record ChangeRecord(bool Forced, string? Before, string? After, IReadOnlyList<string> Disconnected)
    {
        public static ChangeRecord None { get; } = new(false, null, null, []);
    }

    public sealed record Result(AuditOutcome Outcome, int? Status, string? Reason)
    {
        public static Result Done { get; } = new(AuditOutcome.Ok, null, null);
    }
}
