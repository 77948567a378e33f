using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Nbdmux.Api.Authentication;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Audit.RecordLogin;

namespace Nbdmux.Api.Controllers;

/// <summary>Browser log-in with the admin password; machines send it as a bearer token instead.</summary>
[AllowAnonymous]
[AutoValidateAntiforgeryToken]
public sealed class AccountController(AdminPassword password, IMediator mediator, ILogger<AccountController> logger) : Controller
{
    private const string WrongPassword = "That is not the admin password.";

    [HttpGet(NbdmuxAuthentication.LoginPath)]
    public IActionResult Login(string? returnUrl) =>
        password.IsRequired ? View(new LoginForm { ReturnUrl = returnUrl }) : Redirect("/");

    [HttpPost(NbdmuxAuthentication.LoginPath)]
    [EnableRateLimiting(LoginRateLimit.Policy)]
    public async Task<IActionResult> Login([FromForm] LoginForm form)
    {
        if (!password.IsRequired)
        {
            return Redirect("/");
        }

        if (!password.Matches(form.Password))
        {
            logger.LogWarning("Failed login from {RemoteAddress}", HttpContext.Connection.RemoteIpAddress);
            await mediator.Send(RecordLoginCommand.Refused(StatusCodes.Status401Unauthorized, WrongPassword));
            ModelState.AddModelError(nameof(LoginForm.Password), WrongPassword);
            var retry = View(new LoginForm { ReturnUrl = form.ReturnUrl });
            retry.StatusCode = StatusCodes.Status401Unauthorized;
            return retry;
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(
            CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = true });
        logger.LogInformation("Admin logged in from {RemoteAddress}", HttpContext.Connection.RemoteIpAddress);
        await mediator.Send(RecordLoginCommand.Succeeded);
        return LocalRedirect(Url.IsLocalUrl(form.ReturnUrl) ? form.ReturnUrl : "/");
    }

    [HttpPost("/logout")]
    public async Task<IActionResult> Logout()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect(password.IsRequired ? NbdmuxAuthentication.LoginPath : "/");
    }
}
