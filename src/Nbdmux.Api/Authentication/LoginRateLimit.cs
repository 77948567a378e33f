using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Api.Authentication;

/// <summary>Slows password guessing: a few login attempts per client address and minute, then 429.</summary>
public static class LoginRateLimit
{
    public const string Policy = "login";
    public const int AttemptsPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const string TooManyAttempts = "Too many attempts from your address; wait a minute and try again.";

    public static IServiceCollection AddLoginRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = AttemptsPerWindow, Window = Window }));
            limiter.OnRejected = async (context, _) =>
            {
                await context.HttpContext.RequestServices.GetRequiredService<AuditRecorder>().RecordAsync(
                    AuditActions.Login, null, AuditEvent.ChangeRecord.None,
                    AuditResults.Refused(StatusCodes.Status429TooManyRequests, TooManyAttempts));
                await ShowLoginPageAsync(context.HttpContext);
            };
        });

    /// <summary>Only browsers log in, so the refusal is the login page with the reason next to the field.</summary>
    private static Task ShowLoginPageAsync(HttpContext context)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LoginRateLimit))
            .LogWarning("Too many login attempts from {RemoteAddress}; refused for up to {Window}", context.Connection.RemoteIpAddress, Window);
        context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var viewData = new ViewDataDictionary<LoginForm>(
            context.RequestServices.GetRequiredService<IModelMetadataProvider>(), new ModelStateDictionary())
        {
            Model = new LoginForm(),
        };
        viewData.ModelState.AddModelError(nameof(LoginForm.Password), TooManyAttempts);
        var page = new ViewResult
        {
            ViewName = "~/Views/Account/Login.cshtml",
            ViewData = viewData,
            StatusCode = StatusCodes.Status429TooManyRequests,
        };
        return page.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}
