using Nbdmux.Infrastructure.Configuration;
using Nbdmux.Infrastructure.DataPlane;

namespace Nbdmux.Api.Configuration;

/// <summary>Once the daemon runs, one line telling the operator where everything is.</summary>
public static class StartupBanner
{
    public static WebApplication UseStartupBanner(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var options = app.Services.GetRequiredService<NbdmuxOptions>();
            var api = app.Services.GetRequiredService<ApiOptions>();
            var host = options.BindAddress() is var bind && (bind.Equals(System.Net.IPAddress.Any) || bind.Equals(System.Net.IPAddress.IPv6Any))
                ? System.Net.Dns.GetHostName()
                : options.Bind.Contains(':') ? $"[{options.Bind}]" : options.Bind;
            app.Logger.LogInformation(
                "nbdmux {Version} ready: dashboard {DashboardUrl}, NBD on {NbdBind}:{NbdPort} ({Backend}), data dir {DataDir}, image roots {ImageRoots}, {Password}",
                NbdmuxVersion.Current,
                $"http://{host}:{api.Port}/",
                options.Bind,
                options.NbdPort,
                app.Services.GetRequiredService<INbdBackend>().Name,
                options.DataDirFullPath,
                string.Join(", ", options.ImageRoots()),
                api.AdminPassword is null ? "no admin password" : "admin password required");
        });
        return app;
    }
}
