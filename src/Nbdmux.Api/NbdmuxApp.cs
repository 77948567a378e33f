using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Nbdmux.Api.Authentication;
using Nbdmux.Api.Configuration;
using Nbdmux.Api.Dashboard;
using Nbdmux.Api.Errors;
using Nbdmux.Api.Health;
using Nbdmux.Application;
using Nbdmux.Infrastructure;
using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.Persistence;

namespace Nbdmux.Api;

public static class NbdmuxApp
{
    /// <summary>Everything between the command line and a running daemon; startup problems throw <see cref="StartupException"/>.</summary>
    /// <param name="customize">Last changes before the app is built; tests use it to swap the server for a test server.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        // The application name is where MVC looks for controllers and views: this assembly, even when a test host runs it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [], ContentRootPath = AppContext.BaseDirectory, ApplicationName = typeof(NbdmuxApp).Assembly.GetName().Name,
        });
        NbdmuxSettings.AddTo(builder.Configuration, args);
        var options = ValidatedOptions(builder.Configuration);

        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.BindAddress, options.Port));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(4));

        builder.Services.AddApplication();
        builder.Services.AddInfrastructure(options);
        builder.Services
            .AddControllers()
            .AddJsonOptions(json => json.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemDetailsMapping.AddErrorMember);
        builder.Services.AddExceptionHandler<ProblemDetailsMapping>();
        builder.Services.AddHealthChecks().AddCheck<NbdServerHealthCheck>("nbd-server");
        builder.Services.AddNbdmuxAuthentication(options);
        builder.Services.AddDashboard();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboardAssets();
        app.UseNbdmuxAuthentication();
        app.MapControllers();
        app.MapNbdmuxHealth().AllowAnonymous();

        DataDirectory.Prepare(options);
        PortCheck.EnsureFree(new System.Net.IPEndPoint(options.BindAddress, options.Port), "--port");
        app.Services.MigrateDatabaseAsync().GetAwaiter().GetResult();
        return app;
    }

    private static NbdmuxOptions ValidatedOptions(IConfiguration configuration)
    {
        var options = NbdmuxSettings.Bind(configuration);
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
                options, new System.ComponentModel.DataAnnotations.ValidationContext(options), problems, validateAllProperties: true))
        {
            throw new StartupException(string.Join(" ", problems.Select(problem => problem.ErrorMessage)));
        }

        return options;
    }
}
