using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.Extensions.Options;
using Nbdmux.Api.Audit;
using Nbdmux.Api.Authentication;
using Nbdmux.Api.Configuration;
using Nbdmux.Api.Dashboard;
using Nbdmux.Api.Errors;
using Nbdmux.Api.Formatting;
using Nbdmux.Api.Health;
using Nbdmux.Api.OpenApi;
using Nbdmux.Api.Logging;
using Nbdmux.Api.Metrics;
using Nbdmux.Application;
using Nbdmux.Infrastructure;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api;

public static class NbdmuxApp
{
    /// <summary>
    /// Composes the daemon. Settings are read when the host starts (not here), so tests can
    /// override them through WebApplicationFactory like any other configuration.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var hostArguments = NbdmuxSettings.HostArguments(args);
        // The application name is where MVC looks for controllers and views: this assembly, even when a test host runs it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = hostArguments,
            ContentRootPath = hostArguments.Any(arg => arg.StartsWith("--contentRoot=", StringComparison.Ordinal)) ? null : AppContext.BaseDirectory,
            ApplicationName = typeof(NbdmuxApp).Assembly.GetName().Name,
        });
        NbdmuxSettings.AddTo(builder.Configuration, args);
        builder.Services.AddOptions<NbdmuxOptions>()
            .BindConfiguration(NbdmuxOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(provider => provider.GetRequiredService<IOptions<NbdmuxOptions>>().Value);
        builder.Services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<NbdmuxOptions>();
            return new NbdListener(options.NbdPort, options.Bind);
        });

        builder.Logging.AddNbdmuxConsole();
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // A failed start is reported as one line by Program; the host's own report is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = NbdmuxSettings.Bind(context.Configuration);
            // An unparsable address is reported by options validation when the host starts.
            if (System.Net.IPAddress.TryParse(options.Bind, out var address))
            {
                kestrel.Listen(address, options.Port);
            }
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(4));

        builder.Services.AddApplication();
        builder.Services.AddInfrastructure();
        builder.Services
            .AddControllers(mvc => mvc.OutputFormatters.Insert(
                0, new ExportListOutputFormatter(mvc.OutputFormatters.OfType<SystemTextJsonOutputFormatter>().Single())))
            .AddJsonOptions(json => json.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemDetailsMapping.AddErrorMember);
        builder.Services.AddExceptionHandler<ProblemDetailsMapping>();
        builder.Services.AddHealthChecks().AddCheck<NbdServerHealthCheck>("nbd-server");
        builder.Services.AddNbdmuxOpenApi();
        builder.Services.AddNbdmuxAuthentication();
        builder.Services.AddDashboard();
        builder.Services.AddNbdmuxMetrics();
        builder.Services.AddNbdmuxAudit();

        var app = builder.Build();
        app.UseNbdmuxMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboardAssets();
        app.UseNbdmuxAuthentication();
        app.MapControllers();
        app.MapNbdmuxHealth().AllowAnonymous();
        app.MapNbdmuxOpenApi();
        return app;
    }
}
