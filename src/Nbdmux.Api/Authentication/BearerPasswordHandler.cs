using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Nbdmux.Api.Authentication;

/// <summary>
/// `Authorization: Bearer &lt;admin password&gt;` for scripts and other machines. The token is the
/// password itself, not a JWT, so ASP.NET Core's JwtBearer does not apply.
/// </summary>
public sealed class BearerPasswordHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminPassword password) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string Prefix = "Bearer ";

    public static bool IsPresent(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The token is looked at only where the password is needed: on /healthz or the login page a
    /// wrong one is no guess, and a right one would reveal that it is right.
    /// </summary>
    public static bool IsChecked(HttpContext context) =>
        IsPresent(context.Request) && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!password.IsRequired || !IsPresent(Request))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = Request.Headers.Authorization.ToString()[Prefix.Length..].Trim();
        if (!password.Matches(token))
        {
            return Task.FromResult(AuthenticateResult.Fail(UnauthorizedProblem.WrongPassword));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        UnauthorizedProblem.WriteAsync(Context, IsPresent(Request) ? UnauthorizedProblem.WrongPassword : UnauthorizedProblem.MissingCredentials);
}
