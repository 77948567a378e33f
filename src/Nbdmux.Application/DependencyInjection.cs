using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Nbdmux.Application.Common.Audit;
using Nbdmux.Application.Common.Behaviours;
using Nbdmux.Application.Common.Cluster;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Application.Exports.Warming;

namespace Nbdmux.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers MediatR 5 by hand (its DI extension package is not available): the mediator,
    /// every request handler in this assembly, the audit behaviour, and the validation behaviour
    /// with its validators. Behaviours run in the order registered: auditing wraps validation, so
    /// requests refused as invalid are recorded too; a change waits for the other nodes innermost.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(AuditBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(PropagationBehaviour<,>));
        services.AddScoped<ChangePropagation>();
        services.AddScoped<AuditedChange>();
        services.AddScoped<AuditRecorder>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LatestExportList>();
        services.AddScoped<WarmJournal>();

        foreach (var type in typeof(DependencyInjection).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(IsRegisteredContract))
            {
                services.AddScoped(contract, type);
            }
        }

        return services;
    }

    private static bool IsRegisteredContract(Type contract) =>
        contract.IsGenericType &&
        (contract.GetGenericTypeDefinition() == typeof(IRequestHandler<,>) ||
         contract.GetGenericTypeDefinition() == typeof(IValidator<>));
}
