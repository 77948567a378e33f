using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Audit.RecordLogin;

namespace Nbdmux.Api.Authentication;

/// <summary>
/// Slows password guessing: a few login attempts per client and minute, then 429. A request
/// with a wrong Bearer token where the password is needed is a guess too, and counts against its
/// own budget; requests with the right one are never limited.
/// </summary>
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
                ClientOf(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = AttemptsPerWindow, Window = Window }));
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsBearerGuess(context)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    ClientOf(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions { PermitLimit = AttemptsPerWindow, Window = Window })
                : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = async (context, _) =>
            {
                await context.HttpContext.RequestServices.GetRequiredService<IMediator>().Send(
                    RecordLoginCommand.Refused(StatusCodes.Status429TooManyRequests, TooManyAttempts), CancellationToken.None);
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LoginRateLimit))
                    .LogWarning("Too many password attempts from {Client}; refused for up to {Window}", ClientOf(context.HttpContext.Connection.RemoteIpAddress), Window);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await (BearerPasswordHandler.IsPresent(context.HttpContext.Request)
                    ? WriteProblemAsync(context.HttpContext)
                    : ShowLoginPageAsync(context.HttpContext));
            };
        });

    /// <summary>Runs after authentication: a Bearer token that was checked and did not authenticate was the wrong password.</summary>
    private static bool IsBearerGuess(HttpContext context) =>
        BearerPasswordHandler.IsChecked(context) &&
        context.User.Identity?.IsAuthenticated != true &&
        context.RequestServices.GetRequiredService<AdminPassword>().IsRequired;

    /// <summary>
    /// Whose budget a request spends: an IPv4 address, or an IPv6 client's /64, which one host
    /// usually has to itself and can pick new addresses from at will. An IPv4-mapped IPv6
    /// address is the IPv4 client it stands for.
    /// </summary>
    public static string ClientOf(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        { AddressFamily: AddressFamily.InterNetworkV6 } => new IPNetwork(address, 64).ToString(),
        _ => address.ToString(),
    };

    private static Task WriteProblemAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many password attempts.",
                Detail = TooManyAttempts,
            },
        }).AsTask();

    /// <summary>Browsers log in with the form: their refusal is the login page with the reason next to the field.</summary>
    private static Task ShowLoginPageAsync(HttpContext context)
    {
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
