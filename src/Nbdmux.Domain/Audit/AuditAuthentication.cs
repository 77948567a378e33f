namespace Nbdmux.Domain.Audit;

/// <summary>How the actor proved it may act (snake_case on the wire and in the audit log).</summary>
public enum AuditAuthentication
{
    Bearer,
    Cookie,

    /// <summary>No admin password is set, so nobody needs to prove anything.</summary>
    Open,

    /// <summary>The caller proved nothing (e.g. a refused log-in).</summary>
    None,

    /// <summary>nbdmux acting on its own, not on a request.</summary>
    System,
}
