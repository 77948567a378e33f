using System.Reflection;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Api.Controllers;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Nbd;
using NetArchTest.Rules;

namespace Nbdmux.Api.Tests.Architecture;

/// <summary>The dependency rules of docs/architecture.md, checked on the built assemblies.</summary>
public sealed class LayeringTests
{
    private static readonly Assembly Domain = typeof(Export).Assembly;
    private static readonly Assembly Application = typeof(INbdServer).Assembly;
    private static readonly Assembly Infrastructure = typeof(NbdmuxOptions).Assembly;
    private static readonly Assembly Api = typeof(ExportsController).Assembly;
    private static readonly Assembly NbdProtocol = typeof(NbdClient).Assembly;

    private static void AssertNoDependency(Assembly layer, params string[] forbidden)
    {
        var result = Types.InAssembly(layer).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful,
            $"{layer.GetName().Name} must not depend on {string.Join(", ", forbidden)}; these do: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_domain_depends_on_no_other_layer_and_no_framework()
    {
        AssertNoDependency(Domain,
            "Nbdmux.Application", "Nbdmux.Infrastructure", "Nbdmux.Api", "MediatR", "FluentValidation",
            "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Microsoft.Extensions", "System.Text.Json");
    }

    [Fact]
    public void The_application_knows_no_database_http_json_or_infrastructure()
    {
        AssertNoDependency(Application,
            "Nbdmux.Infrastructure", "Nbdmux.Api", "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "System.Text.Json");
    }

    [Fact]
    public void The_nbd_client_depends_on_nothing_but_the_runtime()
    {
        AssertNoDependency(NbdProtocol, "Nbdmux.Domain", "Nbdmux.Application", "Nbdmux.Infrastructure", "Nbdmux.Api", "Microsoft");
    }

    [Fact]
    public void The_infrastructure_knows_no_http()
    {
        AssertNoDependency(Infrastructure, "Nbdmux.Api", "Microsoft.AspNetCore");
    }

    [Fact]
    public void The_infrastructure_assembly_does_not_reference_asp_net_core()
    {
        Assert.DoesNotContain(Infrastructure.GetReferencedAssemblies(),
            reference => reference.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Controllers_reach_the_application_only_through_mediatr()
    {
        var result = Types.InAssembly(Api)
            .That().ResideInNamespace("Nbdmux.Api.Controllers")
            .ShouldNot().HaveDependencyOnAny(
                "Nbdmux.Infrastructure", "Microsoft.EntityFrameworkCore", "Nbdmux.Domain",
                "Nbdmux.Application.Common.Interfaces", "Nbdmux.Application.Common.Audit", "Nbdmux.Application.Common.Behaviours")
            .GetResult();

        Assert.True(result.IsSuccessful, $"These controllers bypass the mediator: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    /// <summary>
    /// Whatever a controller is given (constructor or [FromServices]) is the mediator, a type of
    /// the Api itself or framework plumbing: any other nbdmux service would be a way around the
    /// use cases.
    /// </summary>
    [Fact]
    public void Controllers_are_given_no_nbdmux_service_but_the_mediator()
    {
        var controllers = Api.GetTypes().Where(type => type.IsAssignableTo(typeof(ControllerBase)) && !type.IsAbstract).ToList();
        var given =
            from controller in controllers
            from parameter in controller.GetConstructors().SelectMany(constructor => constructor.GetParameters())
                .Concat(controller.GetMethods().SelectMany(action => action.GetParameters()).Where(p => p.IsDefined(typeof(FromServicesAttribute))))
            select (controller, parameter.ParameterType);

        Assert.NotEmpty(controllers);
        Assert.Empty(given
            .Where(g => g.ParameterType != typeof(IMediator) && g.ParameterType.Assembly != Api &&
                        g.ParameterType.Namespace?.StartsWith("Nbdmux", StringComparison.Ordinal) == true)
            .Select(g => $"{g.controller.Name}({g.ParameterType.Name})"));
    }
}
