namespace Nbdmux.Application.Common.Audit;

public static class AuditActions
{
    public const string Register = "register";
    public const string Replace = "replace";
    public const string Remove = "remove";
    public const string Login = "login";

    /// <summary>nbdmux itself stopped serving a registered export (its file changed after registration).</summary>
    public const string Withhold = "withhold";

    public static IReadOnlyList<string> All { get; } = [Register, Replace, Remove, Login, Withhold];
}
