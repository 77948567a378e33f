namespace Nbdmux.Application.Common.Audit;

public static class AuditActions
{
    public const string Register = "register";
    public const string Replace = "replace";
    public const string Remove = "remove";
    public const string Login = "login";

    /// <summary>A caller asked nbdmux to fetch an export's image from a URL.</summary>
    public const string Warm = "warm";

    /// <summary>nbdmux landed a warmed image and serves it.</summary>
    public const string WarmReady = "warm_ready";

    /// <summary>nbdmux gave up on a warm (the reason is recorded).</summary>
    public const string WarmFailed = "warm_failed";

    /// <summary>A running warm stopped because its export was removed, replaced or warmed anew.</summary>
    public const string WarmCancelled = "warm_cancelled";

    /// <summary>nbdmux itself stopped serving a registered export (its file changed after registration).</summary>
    public const string Withhold = "withhold";

    public static IReadOnlyList<string> All { get; } = [Register, Replace, Remove, Login, Warm, WarmReady, WarmFailed, WarmCancelled, Withhold];
}
