using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.Extensions.Options;
using Nbdmux.Api.Audit;
using Nbdmux.Api.Authentication;
using Nbdmux.Api.Cluster;
using Nbdmux.Api.Configuration;
using Nbdmux.Api.Dashboard;
using Nbdmux.Api.Errors;
using Nbdmux.Api.Formatting;
using Nbdmux.Api.Health;
using Nbdmux.Api.Logging;
using Nbdmux.Api.Metrics;
using Nbdmux.Api.OpenApi;
using Nbdmux.Application;
using Nbdmux.Infrastructure;
using Nbdmux.Infrastructure.Cluster;
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
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NbdmuxOptions>, FirstProblemValidator<NbdmuxOptions>>();
        builder.Services.AddSingleton(provider => provider.GetRequiredService<IOptions<NbdmuxOptions>>().Value);
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(NbdmuxOptions.Section)
            .Validate<IOptions<NbdmuxOptions>>((api, nbd) => api.Port != nbd.Value.NbdPort, "--port and --nbd-port are the same; they must differ.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiOptions>, FirstProblemValidator<ApiOptions>>();
        builder.Services.AddSingleton(provider => provider.GetRequiredService<IOptions<ApiOptions>>().Value);
        builder.Services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<NbdmuxOptions>();
            return new NbdListener(options.NbdPort, options.Bind);
        });
        builder.Services.AddSingleton(provider => LocalNode.For(provider.GetRequiredService<NbdmuxOptions>(), provider.GetRequiredService<ApiOptions>().Port));

        builder.Logging.AddNbdmuxConsole();
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // A failed start is reported as one line by Program; the host's own report is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // The start-up banner says where nbdmux listens and what it serves; the host's own lines repeat part of it.
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // The key ring lives in the data dir, in a directory only nbdmux's user can read
        // (NbdmuxAuthentication): there is no key to encrypt it with that would be safer than that.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = NbdmuxSettings.Bind(context.Configuration);
            // An unparsable address or a port out of range is reported by options validation when the host starts.
            var port = NbdmuxSettings.BindApi(context.Configuration).Port;
            if (System.Net.IPAddress.TryParse(options.Bind, out var address) && port is >= 1 and <= System.Net.IPEndPoint.MaxPort)
            {
                kestrel.Listen(address, port);
            }
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(4));

        builder.Services.AddApplication();
        builder.Services.AddInfrastructure();
        builder.Services
            .AddControllers(mvc => mvc.OutputFormatters.Insert(
                0, new ExportListOutputFormatter(mvc.OutputFormatters.OfType<SystemTextJsonOutputFormatter>().Single())))
            .AddJsonOptions(json => UseWireJson(json.JsonSerializerOptions))
            .ConfigureApiBehaviorOptions(api => api.InvalidModelStateResponseFactory = RequestBodyProblems.Create);
        // The OpenAPI document describes bodies with these options: they must be the controllers'.
        builder.Services.ConfigureHttpJsonOptions(json => UseWireJson(json.SerializerOptions));
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
        app.UseUnconfirmedNodesHeader();
        app.MapControllers();
        app.MapNbdmuxHealth().AllowAnonymous();
        app.MapNbdmuxOpenApi();
        app.UseStartupBanner();
        return app;
    }

    /// <summary>snake_case members and enum values, as 0.2.1 clients read them.</summary>
    private static void UseWireJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }
}
