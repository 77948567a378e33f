namespace Nbdmux.Api.Dashboard;

public sealed class LoginForm
{
    public string? Password { get; set; }

    /// <summary>The page the operator wanted before being sent to log in.</summary>
    public string? ReturnUrl { get; set; }
}
