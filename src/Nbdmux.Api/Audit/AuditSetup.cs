using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Api.Audit;

public static class AuditSetup
{
    public static IServiceCollection AddNbdmuxAudit(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentActor, HttpCurrentActor>();
        return services;
    }
}
