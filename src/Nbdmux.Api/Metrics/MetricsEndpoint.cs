using MediatR;
using Nbdmux.Api.Configuration;
using Nbdmux.Api.Dashboard;
using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Application.Exports;
using Nbdmux.Application.Exports.GetExports;
using Nbdmux.Domain;
using Nbdmux.Domain.Exports;
using Nbdmux.Infrastructure.DataPlane;
using Prometheus;

namespace Nbdmux.Api.Metrics;

public static class MetricsEndpoint
{
    /// <summary>Call after INbdServer is registered: it is wrapped to time export changes.</summary>
    public static IServiceCollection AddNbdmuxMetrics(this IServiceCollection services)
    {
        services.AddSingleton<NbdmuxMetrics>();
        services.AddSingleton<IWarmMetrics>(provider => provider.GetRequiredService<NbdmuxMetrics>());
        return services.MeasureNbdServer();
    }

    /// <summary>Wraps the INbdServer registered last in <see cref="MeasuredNbdServer"/>.</summary>
    public static IServiceCollection MeasureNbdServer(this IServiceCollection services)
    {
        var measured = services.Last(descriptor => descriptor.ServiceType == typeof(INbdServer));
        services.Remove(measured);
        services.AddSingleton<INbdServer>(provider =>
            new MeasuredNbdServer(Resolve(measured, provider), provider.GetRequiredService<NbdmuxMetrics>()));
        return services;
    }

    /// <summary>
    /// Counts HTTP requests (placed first, so it sees the status the exception handler writes)
    /// and serves /metrics in Prometheus text format, with the registry and nbd-server read at
    /// each scrape.
    /// </summary>
    public static WebApplication UseNbdmuxMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<NbdmuxMetrics>();
        metrics.BuildInfo.WithLabels(NbdmuxVersion.Current, app.Services.GetRequiredService<INbdBackend>().Name).Set(1);
        metrics.Registry.AddBeforeCollectCallback(cancellationToken => CollectAsync(app.Services, metrics, cancellationToken));
        app.UseHttpMetrics(http => http.SetMetricFactory(metrics.Factory));
        app.MapMetrics("/metrics", metrics.Registry);
        return app;
    }

    private static async Task CollectAsync(IServiceProvider services, NbdmuxMetrics metrics, CancellationToken cancellationToken)
    {
        var nbdServer = services.GetRequiredService<INbdServer>();
        var status = nbdServer.Status;
        metrics.NbdServerUp.Set(status.IsRunning ? 1 : 0);
        metrics.NbdServerRestarts.IncTo(status.RestartCount);
        metrics.NbdServerPlannedRestarts.IncTo(status.PlannedRestartCount);
        metrics.OverlayBytes.Set(nbdServer.OverlayBytes());

        // The records' command lines do not matter here; any address gives the same counts.
        var nbd = services.GetRequiredService<NbdListener>();
        await using var scope = services.CreateAsyncScope();
        var exports = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
            new GetExportsQuery(new TargetAddress(nbd.Bind, nbd.Port)), cancellationToken);
        foreach (var exportStatus in ExportDto.Statuses)
        {
            metrics.Exports.WithLabels(EnumWords.Of(exportStatus)).Set(exports.Count(export => export.Status == exportStatus));
        }

        // Series of removed exports go, so a scrape never shows clients of an export that is gone.
        foreach (var gone in metrics.Connections.GetAllLabelValues().Select(labels => labels[0]).Except(exports.Select(e => e.Name)))
        {
            metrics.Connections.RemoveLabelled(gone);
        }

        foreach (var export in exports)
        {
            metrics.Connections.WithLabels(export.Name).Set(export.ConnectionCount);
        }
    }

    private static INbdServer Resolve(ServiceDescriptor descriptor, IServiceProvider provider) =>
        (INbdServer)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
