namespace Nbdmux.Domain.Audit;

/// <summary>
/// One attempted change (or log-in), whatever came of it: who asked, from where, what it
/// changed and whether it was done or refused, and why.
/// </summary>
public sealed class AuditEvent
{
    public const string Ok = "ok";

    /// <summary>The caller was told no (validation, not found, in use, nbd-server unavailable, wrong password).</summary>
    public const string Refused = "refused";

    /// <summary>Something went wrong in nbdmux itself, or the caller went away mid-change.</summary>
    public const string Failed = "failed";

    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Action { get; private set; } = null!;
    public string? ExportName { get; private set; }
    public string? ActorAddress { get; private set; }
    public string Authentication { get; private set; } = null!;
    public bool Forced { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public IReadOnlyList<string> Disconnected { get; private set; } = [];
    public string Outcome { get; private set; } = null!;
    public int? Status { get; private set; }
    public string? Reason { get; private set; }

    private AuditEvent()
    {
    }

    public static AuditEvent Record(
        DateTimeOffset at, string action, string? exportName, Actor actor, ChangeRecord change, Result result) => new()
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
    public sealed record Actor(string? Address, string Authentication)
    {
        public const string Bearer = "bearer";
        public const string Cookie = "cookie";

        /// <summary>No admin password is set, so nobody needs to prove anything.</summary>
        public const string Open = "open";

        public const string Anonymous = "none";

        /// <summary>nbdmux acting on its own, not on a request.</summary>
        public const string System = "system";

        public static Actor Nbdmux { get; } = new(null, System);
    }

    /// <summary>What the change touched: the export before and after, and the clients cut by force.</summary>
    public sealed record ChangeRecord(bool Forced, string? Before, string? After, IReadOnlyList<string> Disconnected)
    {
        public static ChangeRecord None { get; } = new(false, null, null, []);
    }

    public sealed record Result(string Outcome, int? Status, string? Reason)
    {
        public static Result Done { get; } = new(Ok, null, null);
    }
}
