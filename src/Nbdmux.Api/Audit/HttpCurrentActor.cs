using Microsoft.AspNetCore.Authentication.Cookies;
using Nbdmux.Api.Authentication;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Api.Audit;

/// <summary>The caller of the current HTTP request: its address, and how it proved it may act.</summary>
public sealed class HttpCurrentActor(IHttpContextAccessor accessor, AdminPassword password) : ICurrentActor
{
    public AuditEvent.Actor Actor
    {
        get
        {
            var context = accessor.HttpContext;
            return new AuditEvent.Actor(context?.Connection.RemoteIpAddress?.ToString(), Authentication(context));
        }
    }

    private AuditAuthentication Authentication(HttpContext? context)
    {
        if (!password.IsRequired)
        {
            return AuditAuthentication.Open;
        }

        var identity = context?.User.Identity;
        return identity is { IsAuthenticated: true } ? identity.AuthenticationType switch
        {
            BearerPasswordHandler.SchemeName => AuditAuthentication.Bearer,
            CookieAuthenticationDefaults.AuthenticationScheme => AuditAuthentication.Cookie,
            _ => AuditAuthentication.None,
        } : AuditAuthentication.None;
    }
}
