namespace Nbdmux.Domain.Audit;

/// <summary>How an attempt ended (snake_case on the wire and in the audit log).</summary>
public enum AuditOutcome
{
    Ok,

    /// <summary>The caller was told no (validation, not found, in use, NBD server unavailable, wrong password).</summary>
    Refused,

    /// <summary>Something went wrong in nbdmux itself, or the caller went away mid-change.</summary>
    Failed,
}
