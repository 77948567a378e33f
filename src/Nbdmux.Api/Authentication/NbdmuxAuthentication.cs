using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Nbdmux.Api.Configuration;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api.Authentication;

/// <summary>
/// With an admin password, everything but /healthz, /login and the static assets needs either
/// the login cookie (browsers) or `Authorization: Bearer &lt;password&gt;` (machines). Without one,
/// nbdmux is open to anyone who can reach the port, and says so at start-up.
/// </summary>
public static class NbdmuxAuthentication
{
    public const string LoginPath = "/login";
    private const string CookieOrBearer = "CookieOrBearer";

    /// <summary>Settings are read when the host starts, like every other part of nbdmux.</summary>
    public static IServiceCollection AddNbdmuxAuthentication(this IServiceCollection services)
    {
        services.AddSingleton(provider => new AdminPassword(provider.GetRequiredService<ApiOptions>().AdminPassword));

        // Cookies and antiforgery tokens stay valid across restarts only if the keys do.
        services.AddDataProtection().SetApplicationName("nbdmux");
        // The keys sign the log-in cookie; DataDirectory makes their directory readable by nbdmux's user only.
        services.AddOptions<KeyManagementOptions>().Configure<NbdmuxOptions, ILoggerFactory>((keys, options, logging) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(options.KeyRingPath), logging));
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "nbdmux.antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddAuthentication(CookieOrBearer)
            .AddPolicyScheme(CookieOrBearer, "Bearer header if sent where the password is needed, else the login cookie", policy =>
                policy.ForwardDefaultSelector = context => BearerPasswordHandler.IsChecked(context)
                    ? BearerPasswordHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerPasswordHandler>(BearerPasswordHandler.SchemeName, null)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "nbdmux.auth";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = LoginPath;
                cookie.ExpireTimeSpan = TimeSpan.FromDays(7);
                cookie.SlidingExpiration = true;
                cookie.Events.OnRedirectToLogin = context =>
                {
                    if (UnauthorizedProblem.IsApiRequest(context.Request))
                    {
                        return UnauthorizedProblem.WriteAsync(context.HttpContext, UnauthorizedProblem.MissingCredentials);
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
            });

        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<AdminPassword>((authorization, password) =>
        {
            if (password.IsRequired)
            {
                authorization.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            }
        });
        services.AddLoginRateLimit();
        return services;
    }

    public static WebApplication UseNbdmuxAuthentication(this WebApplication app)
    {
        // Said once the daemon really runs, so a start that fails shows only its own reason.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (!app.Services.GetRequiredService<AdminPassword>().IsRequired)
            {
                app.Logger.LogWarning(
                    "No admin password is set: anyone who can reach the HTTP port can add and remove exports. Set {Variable} to require one.",
                    NbdmuxSettings.EnvironmentVariable(nameof(ApiOptions.AdminPassword)));
            }
        });

        app.UseAuthentication();
        // Before authorization, which would answer a wrong Bearer token with 401 before it is counted.
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }
}
