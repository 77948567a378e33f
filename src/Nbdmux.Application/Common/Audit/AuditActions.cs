namespace Nbdmux.Application.Common.Audit;

public static class AuditActions
{
    public const string Register = "register";
    public const string Replace = "replace";
    public const string Remove = "remove";
    public const string Login = "login";

    public static IReadOnlyList<string> All { get; } = [Register, Replace, Remove, Login];
}
