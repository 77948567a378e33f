namespace Nbdmux.Domain.Audit;

/// <summary>What an audit record is about (snake_case on the wire and in the audit log).</summary>
public enum AuditAction
{
    Register,
    Replace,
    Remove,
    Login,

    /// <summary>A caller asked nbdmux to fetch an export's image from a URL.</summary>
    Warm,

    /// <summary>nbdmux landed a warmed image and serves it.</summary>
    WarmReady,

    /// <summary>nbdmux gave up on a warm (the reason is recorded).</summary>
    WarmFailed,

    /// <summary>A running warm stopped because its export was removed, replaced or warmed anew.</summary>
    WarmCancelled,

    /// <summary>nbdmux itself stopped serving a registered export (its file changed after registration).</summary>
    Withhold,
}
